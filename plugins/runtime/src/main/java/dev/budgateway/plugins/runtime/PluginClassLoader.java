package dev.budgateway.plugins.runtime;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * The class loader of one plugin. Only the SPI, Jackson and SLF4J come from the host, so the host and
 * the plugin agree on those types; everything else comes from the plugin's own jars or the JDK, so a
 * plugin's private dependencies never clash with the host's.
 */
final class PluginClassLoader extends URLClassLoader {

    private static final String[] SHARED_PREFIXES = {
        "dev.budgateway.plugins.spi.", "com.fasterxml.jackson.", "org.slf4j."
    };

    static {
        registerAsParallelCapable();
    }

    PluginClassLoader(String name, URL[] urls, ClassLoader host) {
        super(name, urls, new SharedClassLoader(host));
    }

    /** The parent: the platform loader, plus the shared packages from the host. */
    private static final class SharedClassLoader extends ClassLoader {
        private final ClassLoader host;

        SharedClassLoader(ClassLoader host) {
            super("budgateway-plugin-shared", ClassLoader.getPlatformClassLoader());
            this.host = host;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            for (String prefix : SHARED_PREFIXES) {
                if (name.startsWith(prefix)) {
                    return host.loadClass(name);
                }
            }
            return super.loadClass(name, resolve);
        }
    }
}
