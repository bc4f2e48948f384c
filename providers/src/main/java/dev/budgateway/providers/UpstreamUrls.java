package dev.budgateway.providers;

import dev.budgateway.config.ConfigText;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.ConfigProblem;
import java.net.URI;
import java.util.List;

/** Reading the base URL and model name of a provider table, for every type alike. */
public final class UpstreamUrls {

    private UpstreamUrls() {}

    /** {@code api_base}, else {@code defaultBase}, as a URL; or {@code null} after adding a problem. */
    public static URI apiBase(ProviderConfig config, String defaultBase, List<ConfigProblem> problems) {
        return parse(config.apiBase() != null ? config.apiBase() : defaultBase, config.path() + ".api_base", problems);
    }

    /** {@code url} as an absolute URL; or {@code null} after adding a problem at {@code path}. */
    public static URI parse(String url, String path, List<ConfigProblem> problems) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            if (uri.getPort() > 65535) {
                problems.add(new ConfigProblem(path, "port " + uri.getPort() + " is out of range (at most 65535)"));
                return null;
            }
            return uri;
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(path, "not a valid URL: \"" + ConfigText.printable(url) + "\""));
            return null;
        }
    }

    /** The URL's path without a trailing slash ({@code ""} for none), to append endpoint paths to. */
    public static String basePath(URI base) {
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** {@code model_name}, or {@code null} after adding a problem. */
    public static String requireModelName(ProviderConfig config, String type, List<ConfigProblem> problems) {
        if (config.modelName() == null) {
            problems.add(new ConfigProblem(config.path() + ".model_name", "missing required key for type \"" + type
                    + "\""));
        }
        return config.modelName();
    }
}
