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
 * The models the gateway serves: those in {@code [models]}, and shorthands {@code type::model} made on
 * first use. Built once per config; lookups are map reads.
 */
public final class ModelCatalog implements AutoCloseable {

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
            ProviderContext context = new ProviderContext(upstream, env, m.loadBalancing(), config.circuitBreaker());
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
                Provider provider = create(type, pc, context, problems);
                if (provider != null) {
                    providers.add(new ModelProvider(new RouteTarget(m.name(), name), pc, provider));
                }
            }
            models.put(m.name(), new CatalogModel(m.name(), providers, m.endpoints() != null ? m.endpoints() : defaults,
                    m.timeouts(), true, m.fallbackModels(), m.retries(), new Balancer(m.loadBalancing())));
        }
        return new ModelCatalog(models, types, new ProviderContext(upstream, env, LoadBalancing.ORDERED,
                config.circuitBreaker()));
    }

    private static Provider create(ProviderType type, ProviderConfig pc, ProviderContext context,
            List<ConfigProblem> problems) {
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
        String key = ApiKeys.resolve(location, pc.path() + ".api_key_location", context.env(), problems);
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
        Provider provider = create(type, pc, shorthandContext, problems);
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
    }

    /** The models in {@code [models]}, in declaration order. */
    public Collection<CatalogModel> configured() {
        return models.values();
    }
}
