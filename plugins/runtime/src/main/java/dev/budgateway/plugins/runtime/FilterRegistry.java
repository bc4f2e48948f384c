package dev.budgateway.plugins.runtime;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.plugins.spi.FilterFactory;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The filter factories available to a chain: the built-ins and any on the class path, plus one class
 * loader's worth per plugin in the plugins directory (a self-contained jar, or a directory of jars).
 */
public final class FilterRegistry {

    /** The manifest attribute a plugin jar may set to the SPI version it was built against. */
    public static final String SPI_VERSION_ATTRIBUTE = "Budgateway-Spi-Version";

    /** A factory and where it came from, for error messages. */
    public record Registered(FilterFactory factory, String origin) {}

    private final Map<String, Registered> factories;

    private FilterRegistry(Map<String, Registered> factories) {
        this.factories = factories;
    }

    /**
     * Finds every factory on {@code host}'s class path and in {@code pluginsDir} (which may be absent).
     *
     * @throws ConfigException listing every plugin that could not be loaded, naming its jar
     */
    public static FilterRegistry discover(ClassLoader host, Path pluginsDir) throws ConfigException {
        Map<String, Registered> found = new LinkedHashMap<>();
        List<ConfigProblem> problems = new ArrayList<>();
        try {
            for (FilterFactory f : ServiceLoader.load(FilterFactory.class, host)) {
                register(found, problems, f, "class path");
            }
        } catch (ServiceConfigurationError e) {
            problems.add(new ConfigProblem("", "cannot load a filter factory from the class path: " + e.getMessage()));
        }
        if (pluginsDir != null && Files.isDirectory(pluginsDir)) {
            List<Path> plugins;
            try (Stream<Path> s = Files.list(pluginsDir)) {
                plugins = s.filter(p -> Files.isDirectory(p) || p.toString().endsWith(".jar")).sorted().toList();
            } catch (IOException e) {
                throw new ConfigException("gateway.plugins_dir", "cannot list " + pluginsDir + ": " + e.getMessage());
            }
            for (Path plugin : plugins) {
                loadPlugin(plugin, host, found, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new FilterRegistry(Map.copyOf(found));
    }

    public Registered find(String type) {
        return factories.get(type);
    }

    public Collection<Registered> all() {
        return factories.values();
    }

    private static void loadPlugin(Path plugin, ClassLoader host, Map<String, Registered> found,
            List<ConfigProblem> problems) {
        String origin = plugin.getFileName().toString();
        List<Path> jars;
        try {
            jars = Files.isDirectory(plugin) ? jarsIn(plugin) : List.of(plugin);
        } catch (IOException e) {
            problems.add(new ConfigProblem("gateway.plugins_dir", origin + ": cannot read: " + e.getMessage()));
            return;
        }
        if (jars.isEmpty()) {
            // A directory without jars is not a plugin (e.g. the source tree's own plugins/ folder).
            return;
        }
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < jars.size(); i++) {
            Path jar = jars.get(i);
            String problem = checkJar(jar);
            if (problem != null) {
                problems.add(new ConfigProblem("gateway.plugins_dir", origin + ": " + problem));
                return;
            }
            try {
                urls[i] = jar.toUri().toURL();
            } catch (MalformedURLException e) {
                problems.add(new ConfigProblem("gateway.plugins_dir", origin + ": bad path: " + e.getMessage()));
                return;
            }
        }
        PluginClassLoader loader = new PluginClassLoader("plugin:" + origin, urls, host);
        int count = 0;
        try {
            for (FilterFactory f : ServiceLoader.load(FilterFactory.class, loader)) {
                if (f.getClass().getClassLoader() != loader) {
                    problems.add(new ConfigProblem("gateway.plugins_dir", origin + ": factory "
                            + f.getClass().getName() + " is not defined by the plugin's own jars"));
                    continue;
                }
                register(found, problems, f, origin);
                count++;
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            problems.add(new ConfigProblem("gateway.plugins_dir", origin + ": cannot load its filter factory: "
                    + e.getMessage()));
            return;
        }
        if (count == 0) {
            problems.add(new ConfigProblem("gateway.plugins_dir", origin + ": no filter factory found (list one in "
                    + "META-INF/services/" + FilterFactory.class.getName() + ")"));
        }
    }

    private static List<Path> jarsIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    /** Why {@code jar} cannot be used as a plugin jar, or {@code null}. */
    private static String checkJar(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            var manifest = file.getManifest();
            String version = manifest == null ? null : manifest.getMainAttributes().getValue(
                    new Attributes.Name(SPI_VERSION_ATTRIBUTE));
            if (version != null && !version.trim().equals(String.valueOf(FilterFactory.SPI_VERSION))) {
                return "built for SPI version " + version.trim() + ", this gateway has SPI version "
                        + FilterFactory.SPI_VERSION;
            }
            return null;
        } catch (IOException e) {
            return jar.getFileName() + " is not a readable jar (" + e.getMessage() + ")";
        }
    }

    private static void register(Map<String, Registered> found, List<ConfigProblem> problems, FilterFactory f,
            String origin) {
        Registered previous = found.putIfAbsent(f.type(), new Registered(f, origin));
        if (previous != null) {
            problems.add(new ConfigProblem("gateway.plugins_dir", "filter type '" + f.type() + "' is defined twice: by "
                    + previous.origin() + " and by " + origin));
        }
    }
}
