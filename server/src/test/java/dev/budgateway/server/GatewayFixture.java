package dev.budgateway.server;

import dev.budgateway.plugins.spi.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The scaffolding of a test class that runs gateways in front of two mock OpenAI upstreams: {@code a} and
 * {@code b} live as long as the class, answer "from a" / "from b" and forget what they received before each
 * test, and every gateway a test starts with {@link #start} is closed after it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final GatewayFixture fx = new GatewayFixture();
 * static final MockOpenAi a = fx.a();
 * }</pre>
 */
final class GatewayFixture implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private final MockOpenAi a = new MockOpenAi();
    private final MockOpenAi b = new MockOpenAi();
    private final List<TestGateway> started = new ArrayList<>();

    MockOpenAi a() {
        return a;
    }

    MockOpenAi b() {
        return b;
    }

    /** A gateway for this test only. */
    TestGateway start(String toml) throws ConfigException {
        return start(toml, Map.of());
    }

    TestGateway start(String toml, Map<String, String> env) throws ConfigException {
        TestGateway gw = TestGateway.start(toml, env);
        started.add(gw);
        return gw;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        for (MockOpenAi up : List.of(a, b)) {
            up.received.clear();
        }
        a.answerChat("from a");
        b.answerChat("from b");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(TestGateway::close);
        started.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        a.close();
        b.close();
    }
}
