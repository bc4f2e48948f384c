package dev.budgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ConfigException;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A module's own top-level table, registered with ServiceLoader: read by it, checked like the core ones. */
class ConfigSectionTest {

    /** {@code [sample]}: a url (or {@code SAMPLE_URL}) and a positive size. */
    public record SampleSettings(String url, long size) {}

    public static final class Sample implements ConfigSection<SampleSettings> {
        static final Sample INSTANCE = new Sample();

        @Override
        public String name() {
            return "sample";
        }

        @Override
        public SampleSettings read(ObjectNode table, ConfigReader reader, Function<String, String> env) {
            if (table == null) {
                String url = env.apply("SAMPLE_URL");
                return url == null ? null : new SampleSettings(url, 1);
            }
            reader.onlyKeys(table, "sample", Set.of("url", "size"));
            String url = reader.string(table, "url", "sample", true);
            Long size = reader.longInRange(table, "size", "sample", 1, 100);
            return new SampleSettings(url, size == null ? 1 : size);
        }
    }

    @Test
    void aRegisteredSectionIsReadByItsModule() throws Exception {
        GatewayConfig c = ConfigLoader.parse("[sample]\nurl = \"redis://x\"\nsize = 5\n", k -> null);
        assertEquals(new SampleSettings("redis://x", 5), c.section(Sample.INSTANCE));
        assertTrue(ConfigLoader.topLevelTables().contains("sample"));
    }

    @Test
    void anAbsentSectionGivesItsDefaultsWhichMayComeFromTheEnvironment() throws Exception {
        assertEquals(null, ConfigLoader.parse("", k -> null).section(Sample.INSTANCE));
        assertEquals(new SampleSettings("redis://env", 1), ConfigLoader.parse("", Map.of("SAMPLE_URL",
                "redis://env")::get).section(Sample.INSTANCE));
    }

    @Test
    void itsProblemsAreReportedWithTheOthersWithKeyPathsAndLines() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "[sample]\nurl = \"u\"\nsize = 500\nextra = 1\n[nonsense]\n", k -> null));
        String all = e.getMessage();
        assertTrue(all.contains("sample.size"), all);
        assertTrue(all.contains("sample.extra"), all);
        assertTrue(all.contains("nonsense"), all);
        assertTrue(all.contains("line 3"), all);
    }
}
