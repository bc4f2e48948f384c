package dev.budgateway.providers;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.config.GatewayConfig;
import dev.budgateway.config.LoadBalancing;
import dev.budgateway.config.ModelConfig;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.ServiceKey;
import dev.budgateway.providers.anthropic.AnthropicType;
import dev.budgateway.providers.azure.AzureType;
import dev.budgateway.providers.bedrock.BedrockType;
import dev.budgateway.providers.dummy.DummyType;
import dev.budgateway.providers.pool.Balancer;
import dev.budgateway.providers.gemini.GeminiType;
import dev.budgateway.providers.openai.OpenAiCompatibleType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The models the gateway serves: those in {@code [models]}, those the control plane publishes at run time
 * (model tables, by endpoint id), and shorthands {@code type::model} made on first use. Lookups are map
 * reads.
 */
public final class ModelCatalog implements AutoCloseable {

    private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(ModelCatalog.class);

    /** How filters find the catalogue in their {@link dev.budgateway.plugins.spi.FilterEnv}. */
    public static final ServiceKey<ModelCatalog> SERVICE = new ServiceKey<>("model_catalog", ModelCatalog.class);

    /** Shorthand names come from clients; beyond this many, they are built per request instead of kept. */
    private static final int MAX_CACHED_SHORTHANDS = 1024;

    public static final List<ProviderType> BUILT_IN_TYPES = builtInTypes();

    private static List<ProviderType> builtInTypes() {
        List<ProviderType> types = new ArrayList<>(OpenAiCompatibleType.ALL);
        types.add(AnthropicType.TYPE);
        types.add(new AzureType());
        types.add(new BedrockType());
        types.add(GeminiType.GOOGLE_AI_STUDIO);
        types.add(GeminiType.GEMINI);
        types.add(new DummyType());
        return List.copyOf(types);
    }

    private final Map<String, CatalogModel> models;
    private final Map<String, ProviderType> types;
    /** What shorthand models are built with: the configured order, the gateway's breakers. */
    private final ProviderContext shorthandContext;
    private final Map<String, CatalogModel> shorthands = new ConcurrentHashMap<>();
    /** Models published at run time, by endpoint id; the file's models win a clash of names. */
    private final Map<String, Published> published = new ConcurrentHashMap<>();
    /** Long past any request's deadline. */
    private static final long RETIRE_AFTER_MS = 15 * 60 * 1000;
    private final java.util.concurrent.ScheduledExecutorService retiring =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "model-retire");
                t.setDaemon(true);
                return t;
            });

    private ModelCatalog(Map<String, CatalogModel> models, Map<String, ProviderType> types,
            ProviderContext shorthandContext) {
        this.models = models;
        this.types = types;
        this.shorthandContext = shorthandContext;
    }

    public static ModelCatalog build(GatewayConfig config, List<ProviderType> providerTypes, UpstreamClient upstream,
            Function<String, String> env) throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        ModelCatalog catalog = build(config, providerTypes, upstream, env, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return catalog;
    }

    /**
     * Builds what can be built and adds every problem to {@code problems}, so that later checks (the
     * filter chain) still run and {@code --validate-config} lists everything at once.
     */
    public static ModelCatalog build(GatewayConfig config, List<ProviderType> providerTypes, UpstreamClient upstream,
            Function<String, String> env, List<ConfigProblem> problems) {
        Map<String, ProviderType> types = new LinkedHashMap<>();
        providerTypes.forEach(t -> types.put(t.name(), t));
        Map<String, CatalogModel> models = new LinkedHashMap<>();
        for (ModelConfig m : config.models().values()) {
            models.put(m.name(), model(m, types, new ProviderContext(upstream, env, m.loadBalancing(),
                    config.circuitBreaker()), name -> null, true, problems));
        }
        return new ModelCatalog(models, types, new ProviderContext(upstream, env, LoadBalancing.ORDERED,
                config.circuitBreaker()));
    }

    private static CatalogModel model(ModelConfig m, Map<String, ProviderType> types, ProviderContext context,
            Function<String, String> credentials, boolean configured, List<ConfigProblem> problems) {
        List<ModelProvider> providers = new ArrayList<>();
        Set<ApiEndpoint> defaults = new LinkedHashSet<>();
        for (String name : m.routing()) {
            ProviderConfig pc = m.providers().get(name);
            if (pc == null) {
                continue; // Reported by the config loader.
            }
            ProviderType type = types.get(pc.type());
            if (type == null) {
                problems.add(new ConfigProblem(pc.path() + ".type", "unknown provider type '" + pc.type()
                        + "' (known: " + String.join(", ", new TreeSet<>(types.keySet())) + ")"));
                continue;
            }
            defaults.addAll(type.defaultEndpoints());
            Provider provider = create(type, pc, context, credentials, problems);
            if (provider != null) {
                providers.add(new ModelProvider(new RouteTarget(m.name(), name), pc, provider));
            }
        }
        return new CatalogModel(m.name(), providers, m.endpoints() != null ? m.endpoints() : defaults, m.timeouts(),
                configured, m.fallbackModels(), m.retries(), new Balancer(m.loadBalancing()));
    }

    /**
     * Adds or replaces a model published at run time (a control-plane model table), atomically: a request
     * finds the old model or the new one, never none. The replaced model's providers are closed after
     * {@code retireAfterMs}, when the requests that started with them are long done.
     *
     * @param credentials answers the providers' {@code dynamic::NAME} keys
     * @return why the model cannot be served (it is then marked {@linkplain #misconfigured misconfigured})
     */
    public List<ConfigProblem> publish(ModelConfig config, Function<String, String> credentials) {
        List<ConfigProblem> problems = new ArrayList<>();
        CatalogModel built = model(config, types, new ProviderContext(shorthandContext.upstream(),
                shorthandContext.env(), config.loadBalancing(), shorthandContext.circuitBreaker()), credentials, true,
                problems);
        if (!problems.isEmpty() || built.providers().isEmpty()) {
            built.providers().forEach(p -> p.provider().close());
            misconfigured(config.name(), problems.isEmpty() ? "it has no usable provider"
                    : problems.get(0).path() + ": " + problems.get(0).message());
            return problems.isEmpty() ? List.of(new ConfigProblem(config.name(), "no usable provider")) : problems;
        }
        Published old = published.put(config.name(), new Published(built, null));
        retire(old);
        return List.of();
    }

    /**
     * Marks a published model as one that cannot be served (its secret does not decrypt, its record is
     * invalid): requests for it get a 500 saying so, instead of "not found" or the old upstream.
     */
    public void misconfigured(String name, String why) {
        retire(published.put(name, new Published(null, new GatewayError(500, "server_error", "model_misconfigured",
                "Model '" + name + "' is misconfigured on this gateway and cannot be served; the operator's log says "
                + "why"))));
        logger.warn("Model {} cannot be served: {}", name, why);
    }

    /** Removes a published model; requests for it then get "not found". */
    public void unpublish(String name) {
        retire(published.remove(name));
    }

    private void retire(Published old) {
        if (old != null && old.model() != null) {
            retiring.schedule(() -> old.model().providers().forEach(p -> p.provider().close()), RETIRE_AFTER_MS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** A published model, or why it cannot be served. */
    private record Published(CatalogModel model, GatewayError misconfigured) {}

    private static Provider create(ProviderType type, ProviderConfig pc, ProviderContext context,
            Function<String, String> credentials, List<ConfigProblem> problems) {
        int before = problems.size();
        pc.options().fieldNames().forEachRemaining(key -> {
            if (!type.optionKeys().contains(key)) {
                problems.add(new ConfigProblem(pc.path() + "." + key, "unknown key for type \"" + type.name()
                        + "\" (known: " + String.join(", ", new TreeSet<>(knownKeys(type))) + ")"));
            }
        });
        if (problems.size() > before) {
            return null;
        }
        ApiKeyLocation location = pc.apiKeyLocation() != null ? pc.apiKeyLocation() : type.defaultKeyLocation();
        String key = ApiKeys.resolve(location, pc.path() + ".api_key_location", context.env(), credentials, problems);
        Provider provider = type.create(pc, key, context, problems);
        return problems.size() == before ? provider : null;
    }

    private static Set<String> knownKeys(ProviderType type) {
        Set<String> keys = new TreeSet<>(ProviderConfig.COMMON_KEYS);
        keys.addAll(type.optionKeys());
        return keys;
    }

    /**
     * The model called {@code name}, or {@code null} if there is none.
     *
     * @throws GatewayException when {@code name} is a shorthand whose provider cannot be used (e.g. no key)
     */
    public CatalogModel find(String name) {
        CatalogModel m = models.get(name);
        if (m != null) {
            return m;
        }
        Published p = published.get(name);
        if (p != null) {
            if (p.misconfigured() != null) {
                throw new GatewayException(p.misconfigured());
            }
            return p.model();
        }
        int sep = name.indexOf("::");
        if (sep <= 0) {
            return null;
        }
        CatalogModel cached = shorthands.get(name);
        if (cached != null) {
            return cached;
        }
        ProviderType type = types.get(name.substring(0, sep));
        String model = name.substring(sep + 2);
        ProviderConfig pc = type == null || model.isEmpty() ? null : type.shorthand(model);
        if (pc == null) {
            return null;
        }
        List<ConfigProblem> problems = new ArrayList<>();
        Provider provider = create(type, pc, shorthandContext, n -> null, problems);
        if (provider == null) {
            String why = problems.isEmpty() ? "it cannot be used" : problems.get(0).message();
            throw new GatewayException(new GatewayError(400, "invalid_request_error", "provider_not_configured",
                    "Model '" + name + "' is not available on this gateway: " + why));
        }
        CatalogModel built = CatalogModel.single(name, new ModelProvider(new RouteTarget(name, type.name()), pc,
                provider), type.defaultEndpoints());
        if (shorthands.size() < MAX_CACHED_SHORTHANDS) {
            CatalogModel raced = shorthands.putIfAbsent(name, built);
            return raced != null ? raced : built;
        }
        return built;
    }

    /** Stops the providers' background work (health checks). */
    @Override
    public void close() {
        for (CatalogModel m : models.values()) {
            m.providers().forEach(p -> p.provider().close());
        }
        for (CatalogModel m : shorthands.values()) {
            m.providers().forEach(p -> p.provider().close());
        }
        for (Published p : published.values()) {
            if (p.model() != null) {
                p.model().providers().forEach(mp -> mp.provider().close());
            }
        }
        retiring.shutdownNow();
    }

    /** The models published at run time (control-plane model tables) that can be served. */
    public List<CatalogModel> published() {
        List<CatalogModel> out = new ArrayList<>();
        published.values().forEach(p -> {
            if (p.model() != null) {
                out.add(p.model());
            }
        });
        return out;
    }

    /** The models in {@code [models]}, in declaration order. */
    public Collection<CatalogModel> configured() {
        return models.values();
    }
}
