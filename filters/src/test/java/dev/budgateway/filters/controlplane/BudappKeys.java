package dev.budgateway.filters.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes what budapp writes: an RSA key pair made by {@code openssl}, secrets encrypted by {@code openssl pkeyutl}
 * with OAEP, SHA-256 and MGF1-SHA-256 (budapp's parameters) as hex, and the JSON of {@code api_key:*} and
 * {@code model_table:*} records.
 */
public final class BudappKeys {

    public final Path dir;
    public final Path privateKey;
    public final Path publicKey;

    private BudappKeys(Path dir) {
        this.dir = dir;
        this.privateKey = dir.resolve("private.pem");
        this.publicKey = dir.resolve("public.pem");
    }

    /** A new 2048-bit key pair; the private key in PKCS#8 PEM. */
    public static BudappKeys generate() throws Exception {
        BudappKeys k = new BudappKeys(Files.createTempDirectory("budapp-keys"));
        run(k.dir, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                k.privateKey.toString());
        run(k.dir, "openssl", "pkey", "-in", k.privateKey.toString(), "-pubout", "-out", k.publicKey.toString());
        return k;
    }

    /** The private key as PKCS#1 ({@code RSA PRIVATE KEY}). */
    public Path pkcs1() throws Exception {
        Path out = dir.resolve("pkcs1.pem");
        run(dir, "openssl", "pkey", "-in", privateKey.toString(), "-traditional", "-out", out.toString());
        return out;
    }

    /** The private key as encrypted PKCS#8 under {@code password}. */
    public Path encryptedPkcs8(String password) throws Exception {
        Path out = dir.resolve("encrypted.pem");
        run(dir, "openssl", "pkcs8", "-topk8", "-in", privateKey.toString(), "-v2", "aes-256-cbc", "-passout",
                "pass:" + password, "-out", out.toString());
        return out;
    }

    /** {@code secret} encrypted as budapp does it, in hex. */
    public String encrypt(String secret) throws Exception {
        Path in = Files.createTempFile(dir, "secret", ".txt");
        Path out = Files.createTempFile(dir, "secret", ".bin");
        Files.writeString(in, secret, StandardCharsets.UTF_8);
        run(dir, "openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey", publicKey.toString(), "-pkeyopt",
                "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256", "-in",
                in.toString(), "-out", out.toString());
        return HexFormat.of().formatHex(Files.readAllBytes(out));
    }

    /** The Redis key of an API key: {@code api_key:<sha256_hex("bud-" + key)>}. */
    public static String apiKeyRedisKey(String key) throws Exception {
        return "api_key:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                ("bud-" + key).getBytes(StandardCharsets.UTF_8)));
    }

    /** An {@code api_key} record granting {@code name} as {@code endpointId}. */
    public static String apiKeyRecord(String name, String endpointId, String apiKeyId) {
        return "{\"" + name + "\": {\"endpoint_id\": \"" + endpointId + "\", \"model_id\": \"model-" + endpointId
                + "\", \"project_id\": \"project-1\"}, \"__metadata__\": {\"api_key_id\": \"" + apiKeyId
                + "\", \"user_id\": \"user-1\", \"api_key_project_id\": \"project-1\"}}";
    }

    /** A {@code model_table} record: one OpenAI-compatible provider at {@code apiBase} keyed by the model's secret. */
    public static String modelTable(String endpointId, String apiBase, String modelName, String encryptedKey) {
        return "{\"" + endpointId + "\": {\"routing\": [\"openai\"], \"providers\": {\"openai\": {\"type\": \"openai\", "
                + "\"model_name\": \"" + modelName + "\", \"api_base\": \"" + apiBase + "\", \"api_key_location\": "
                + "\"dynamic::store_" + endpointId + "\"}}, \"endpoints\": [\"chat\"], \"api_key\": \"" + encryptedKey
                + "\", \"fallback_models\": null, \"pricing\": {\"input_cost\": 1.0, \"output_cost\": 2.0, "
                + "\"currency\": \"USD\", \"per_tokens\": 1000000}}}";
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
