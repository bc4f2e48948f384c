package dev.budgateway.providers.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AWS's published SigV4 test-suite vectors (service "service", us-east-1, 2015-08-30T12:36:00Z). */
class SigV4SignerTest {

    private static final SigV4Signer SIGNER = new SigV4Signer("us-east-1", "service");
    private static final SigV4Signer.Credentials KEYS = new SigV4Signer.Credentials("AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static final ZonedDateTime TIME = ZonedDateTime.parse("2015-08-30T12:36:00Z");
    private static final Map<String, String> HEADERS = Map.of("Host", "example.amazonaws.com", "X-Amz-Date",
            "20150830T123600Z");
    private static final String EMPTY = SigV4Signer.sha256Hex(new byte[0]);
    private static final String PREFIX = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
            + "aws4_request, SignedHeaders=host;x-amz-date, Signature=";

    @Test
    void getVanilla() {
        assertEquals(PREFIX + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
                SIGNER.authorization("GET", "/", "", HEADERS, EMPTY, KEYS, TIME));
    }

    @Test
    void postVanilla() {
        assertEquals(PREFIX + "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
                SIGNER.authorization("POST", "/", "", HEADERS, EMPTY, KEYS, TIME));
    }

    @Test
    void getVanillaQueryOrderKeyCase() {
        assertEquals(PREFIX + "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
                SIGNER.authorization("GET", "/", "Param1=value1&Param2=value2", HEADERS, EMPTY, KEYS, TIME));
    }

    @Test
    void bedrockModelIdsAreEncodedAgainInTheCanonicalPath() {
        assertEquals("/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse",
                SigV4Signer.canonicalUri("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"));
        assertEquals("/", SigV4Signer.canonicalUri("/"));
    }

    @Test
    void sha256OfTheEmptyString() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                SigV4Signer.sha256Hex("".getBytes(StandardCharsets.UTF_8)));
    }
}
