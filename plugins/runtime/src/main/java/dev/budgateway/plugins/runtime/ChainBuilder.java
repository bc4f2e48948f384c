package dev.budgateway.plugins.runtime;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.UpstreamDriver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Turns the declared filters into a {@link FilterChain}, reporting every mistake with its key path. */
public final class ChainBuilder {

    private ChainBuilder() {}

    public static FilterChain build(List<FilterDeclaration> declarations, FilterRegistry registry, FilterEnv env)
            throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        List<ChainEntry> entries = new ArrayList<>();
        Map<String, String> namePaths = new HashMap<>();
        Set<Key<?>> provided = new HashSet<>();
        String driver = null;
        for (FilterDeclaration declaration : declarations) {
            FilterConfig config = declaration.config();
            String previous = namePaths.putIfAbsent(config.name(), config.path());
            if (previous != null) {
                problems.add(new ConfigProblem(config.path() + ".name", "duplicate filter name '" + config.name()
                        + "' (also at " + previous + "); give each a distinct name"));
            }
            if (!declaration.enabled()) {
                continue;
            }
            FilterRegistry.Registered registered = registry.find(config.type());
            if (registered == null) {
                Set<String> known = new TreeSet<>();
                registry.all().forEach(r -> known.add(r.factory().type()));
                problems.add(new ConfigProblem(config.path() + ".type", "unknown filter type '" + config.type()
                        + "' (known: " + String.join(", ", known) + ")"));
                continue;
            }
            for (Key<?> needed : registered.factory().requires()) {
                if (!provided.contains(needed)) {
                    problems.add(new ConfigProblem(config.path(), "filter '" + config.name() + "' needs '" + needed.name()
                            + "': put " + providersOf(registry, needed) + " before it"));
                }
            }
            provided.addAll(registered.factory().provides());
            Filter filter;
            try {
                filter = registered.factory().create(config, env);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
                continue;
            } catch (RuntimeException e) {
                problems.add(new ConfigProblem(config.path(), "filter type '" + config.type() + "' (from "
                        + registered.origin() + ") failed to start: " + e));
                continue;
            }
            if (filter instanceof UpstreamDriver) {
                if (driver != null) {
                    problems.add(new ConfigProblem(config.path(), "only one filter may drive the upstream attempts; '"
                            + driver + "' already does"));
                    continue;
                }
                driver = config.name();
            }
            entries.add(new ChainEntry(config.name(), config.type(), filter, declaration.onError(),
                    config.timeoutMs()));
        }
        if (problems.isEmpty() && !provided.contains(Keys.ROUTE)) {
            // The terminal sends each request where its route says: without one every request would fail.
            problems.add(new ConfigProblem("filters", "no filter in the chain provides 'route': put "
                    + providersOf(registry, Keys.ROUTE) + " in [[filters]]"));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new FilterChain(entries);
    }

    private static String providersOf(FilterRegistry registry, Key<?> key) {
        List<String> types = new ArrayList<>();
        for (FilterRegistry.Registered r : registry.all()) {
            if (r.factory().provides().contains(key)) {
                types.add("'" + r.factory().type() + "'");
            }
        }
        return types.isEmpty() ? "a filter that provides it" : String.join(" or ", types);
    }
}
