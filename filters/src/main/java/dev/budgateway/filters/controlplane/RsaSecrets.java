package dev.budgateway.filters.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * Decrypts the provider secrets budapp writes into model tables: RSA-OAEP with SHA-256 and MGF1-SHA-256
 * (no label), hex or base64; PKCS#1 v1.5 as the fallback, like the Rust gateway. The parameters are given
 * explicitly: a JCE {@code OAEPWithSHA-256AndMGF1Padding} without them uses MGF1-SHA-1 and fails on every
 * real record. The key comes from {@code TENSORZERO_RSA_PRIVATE_KEY} (the PEM itself) or
 * {@code TENSORZERO_RSA_PRIVATE_KEY_PATH}, in PKCS#1, PKCS#8 or encrypted PKCS#8
 * ({@code TENSORZERO_RSA_PRIVATE_KEY_PASSWORD}). Without a key, values are taken as they are (the Rust
 * gateway's behaviour, for deployments that store secrets in clear).
 */
public final class RsaSecrets {

    public static final String KEY_VARIABLE = "TENSORZERO_RSA_PRIVATE_KEY";
    public static final String KEY_PATH_VARIABLE = "TENSORZERO_RSA_PRIVATE_KEY_PATH";
    public static final String PASSWORD_VARIABLE = "TENSORZERO_RSA_PRIVATE_KEY_PASSWORD";

    private static final OAEPParameterSpec OAEP_SHA256 = new OAEPParameterSpec("SHA-256", "MGF1",
            MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

    /** A value that cannot be decrypted; the message never holds the value. */
    public static final class SecretException extends Exception {
        private static final long serialVersionUID = 1L;

        SecretException(String message) {
            super(message);
        }
    }

    private final PrivateKey key;

    private RsaSecrets(PrivateKey key) {
        this.key = key;
    }

    /** Values used as they are. */
    public static RsaSecrets none() {
        return new RsaSecrets(null);
    }

    public boolean hasKey() {
        return key != null;
    }

    /**
     * The key the environment names, or {@link #none()} when it names none.
     *
     * @throws IllegalArgumentException when a key is named but cannot be read (the message says why, without
     *     the key or the password)
     */
    public static RsaSecrets fromEnvironment(Function<String, String> env) {
        String pem = env.apply(KEY_VARIABLE);
        String where = KEY_VARIABLE;
        if (pem == null || pem.isBlank()) {
            String path = env.apply(KEY_PATH_VARIABLE);
            if (path == null || path.isBlank()) {
                return none();
            }
            where = KEY_PATH_VARIABLE + " (" + path + ")";
            try {
                pem = Files.readString(Path.of(path), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read the RSA private key file named by " + where);
            }
        }
        return new RsaSecrets(PemKeys.parse(pem, env.apply(PASSWORD_VARIABLE), where));
    }

    /** The clear text of {@code value}: hex if it is all hex digits, standard base64 otherwise. */
    public String decrypt(String value) throws SecretException {
        if (key == null) {
            return value;
        }
        String v = value.strip();
        byte[] cipherText;
        try {
            cipherText = isHex(v) ? HexFormat.of().parseHex(v) : Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw new SecretException("the secret is neither hex nor base64");
        }
        try {
            Cipher oaep = Cipher.getInstance("RSA/NONE/OAEPPadding", PemKeys.provider());
            oaep.init(Cipher.DECRYPT_MODE, key, OAEP_SHA256);
            return new String(oaep.doFinal(cipherText), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | RuntimeException oaepFailed) {
            // Bouncy Castle also throws unchecked exceptions (DataLengthException) for a cipher text made for a
            // larger key.
            try {
                Cipher pkcs1 = Cipher.getInstance("RSA/NONE/PKCS1Padding", PemKeys.provider());
                pkcs1.init(Cipher.DECRYPT_MODE, key);
                return new String(pkcs1.doFinal(cipherText), StandardCharsets.UTF_8);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new SecretException("the secret does not decrypt with the gateway's RSA key (RSA-OAEP "
                        + "SHA-256/MGF1-SHA-256, or PKCS#1 v1.5): encrypted for another key?");
            }
        }
    }

    private static boolean isHex(String v) {
        if (v.isEmpty() || v.length() % 2 != 0) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }
}
