package dev.budgateway.filters.clientinfo;

import dev.budgateway.plugins.spi.ClientInfo;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ua_parser.Client;
import ua_parser.Parser;

/**
 * Reads a {@code User-Agent}: the calling SDK or tool from a table of our own (uap knows browsers and bots,
 * and reports {@code OpenAI/Python 1.40.0} as "Other"), then browser, OS and device with uap. Parsing a new
 * agent takes about a millisecond, so verdicts are kept in a bounded cache shared by all event loops: a
 * repeated agent costs a map read. The cache is emptied when full; agents of real traffic are few.
 */
final class AgentParser {

    /** An SDK or tool, and how its agent string names it; group 1 is the version. */
    private record Sdk(String name, Pattern pattern) {}

    private static final List<Sdk> SDKS = List.of(
            new Sdk("claude-code", Pattern.compile("\\bclaude-cli/(\\S+)")),
            new Sdk("openai-codex", Pattern.compile("\\bcodex_cli_rs/(\\S+)")),
            new Sdk("openai-python", Pattern.compile("\\bOpenAI/Python (\\S+)")),
            new Sdk("openai-node", Pattern.compile("\\bOpenAI/JS (\\S+)")),
            new Sdk("openai-java", Pattern.compile("\\bOpenAI/Java (\\S+)")),
            new Sdk("openai-go", Pattern.compile("\\bOpenAI/Go (\\S+)")),
            new Sdk("openai-dotnet", Pattern.compile("\\bOpenAI/(\\d\\S*) \\(\\.NET")),
            new Sdk("anthropic-python", Pattern.compile("\\bAnthropic/Python (\\S+)")),
            new Sdk("anthropic-node", Pattern.compile("\\bAnthropic/JS (\\S+)")),
            new Sdk("anthropic-java", Pattern.compile("\\bAnthropic/Java (\\S+)")),
            new Sdk("anthropic-go", Pattern.compile("\\bAnthropic/Go (\\S+)")),
            new Sdk("vercel-ai-sdk", Pattern.compile("(?:^|\\s)ai/(\\d\\S*)|\\bai-sdk/[\\w-]+/(\\d\\S*)")),
            new Sdk("langchain", Pattern.compile("\\blangchain[\\w-]*/(\\S+)", Pattern.CASE_INSENSITIVE)),
            new Sdk("litellm", Pattern.compile("\\blitellm/(\\S+)", Pattern.CASE_INSENSITIVE)),
            new Sdk("curl", Pattern.compile("^curl/(\\S+)")),
            new Sdk("httpx", Pattern.compile("\\bpython-httpx/(\\S+)")),
            new Sdk("python-requests", Pattern.compile("\\bpython-requests/(\\S+)")),
            new Sdk("aiohttp", Pattern.compile("\\baiohttp/(\\S+)", Pattern.CASE_INSENSITIVE)),
            new Sdk("axios", Pattern.compile("\\baxios/(\\S+)")),
            new Sdk("node-fetch", Pattern.compile("\\bnode-fetch(?:/(\\S+))?")),
            new Sdk("go-http-client", Pattern.compile("^Go-http-client/(\\S+)")),
            new Sdk("okhttp", Pattern.compile("\\bokhttp/(\\S+)")),
            new Sdk("java-http-client", Pattern.compile("^Java-http-client/(\\S+)")));

    private static final Pattern BOT = Pattern.compile("bot|crawler|spider|scraper|crawl", Pattern.CASE_INSENSITIVE);
    /** Longer agents are cut before parsing (and caching): real ones are far shorter. */
    private static final int MAX_AGENT_CHARS = 512;

    private final Parser uap;
    private final int cacheSize;
    private final Map<String, ClientInfo.Agent> cache = new ConcurrentHashMap<>();

    AgentParser(int cacheSize) {
        this.uap = new Parser();
        this.cacheSize = cacheSize;
    }

    ClientInfo.Agent parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String agent = raw.length() > MAX_AGENT_CHARS ? raw.substring(0, MAX_AGENT_CHARS) : raw;
        ClientInfo.Agent known = cache.get(agent);
        if (known != null) {
            return known;
        }
        ClientInfo.Agent parsed = parseUncached(agent);
        if (cache.size() >= cacheSize) {
            cache.clear();
        }
        cache.put(agent, parsed);
        return parsed;
    }

    private ClientInfo.Agent parseUncached(String agent) {
        String sdk = null;
        String sdkVersion = null;
        for (Sdk s : SDKS) {
            Matcher m = s.pattern.matcher(agent);
            if (m.find()) {
                sdk = s.name;
                for (int g = 1; g <= m.groupCount() && sdkVersion == null; g++) {
                    sdkVersion = m.group(g);
                }
                break;
            }
        }
        Client c = uap.parse(agent);
        String browser = "Other".equals(c.userAgent.family) ? null : c.userAgent.family;
        String os = "Other".equals(c.os.family) ? null : c.os.family;
        boolean bot = "Spider".equals(c.device.family) || BOT.matcher(agent).find();
        String lower = agent.toLowerCase(Locale.ROOT);
        String device = bot ? "bot"
                : lower.contains("mobile") || lower.contains("phone") ? "mobile"
                : lower.contains("tablet") || lower.contains("ipad") ? "tablet"
                : "desktop";
        return new ClientInfo.Agent(agent, device, browser, version(c.userAgent.major, c.userAgent.minor), os,
                version(c.os.major, c.os.minor), bot, sdk, sdkVersion);
    }

    private static String version(String major, String minor) {
        if (major == null) {
            return null;
        }
        return minor == null ? major : major + "." + minor;
    }
}
