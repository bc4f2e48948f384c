package dev.budgateway.filters.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Cipher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Secrets encrypted by openssl with budapp's parameters, read with every key form budapp deployments use. */
class RsaSecretsTest {

    static BudappKeys keys;

    @BeforeAll
    static void generate() throws Exception {
        keys = BudappKeys.generate();
    }

    static RsaSecrets from(Map<String, String> env) {
        return RsaSecrets.fromEnvironment(env::get);
    }

    @Test
    void decryptsOaepSha256WithMgf1Sha256FromEachKeyForm() throws Exception {
        String cipher = keys.encrypt("sk-provider-secret");
        assertEquals("sk-provider-secret", from(Map.of(RsaSecrets.KEY_PATH_VARIABLE, keys.privateKey.toString()))
                .decrypt(cipher));
        assertEquals("sk-provider-secret", from(Map.of(RsaSecrets.KEY_PATH_VARIABLE, keys.pkcs1().toString()))
                .decrypt(cipher));
        assertEquals("sk-provider-secret", from(Map.of(RsaSecrets.KEY_PATH_VARIABLE,
                keys.encryptedPkcs8("s3cret").toString(), RsaSecrets.PASSWORD_VARIABLE, "s3cret")).decrypt(cipher));
        assertEquals("sk-provider-secret", from(Map.of(RsaSecrets.KEY_VARIABLE,
                Files.readString(keys.privateKey))).decrypt(cipher));
        // The same cipher text as base64, which the Rust gateway also accepts.
        String base64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(cipher));
        assertEquals("sk-provider-secret", from(Map.of(RsaSecrets.KEY_PATH_VARIABLE, keys.privateKey.toString()))
                .decrypt(base64));
    }

    @Test
    void theJceDefaultOaepParametersCannotReadBudappsSecrets() throws Exception {
        // SunJCE's OAEPWithSHA-256AndMGF1Padding uses MGF1-SHA-1 unless told otherwise: the reason the
        // parameters are explicit. If this ever decrypted, the test vectors would not be budapp's.
        String pem = Files.readString(keys.privateKey).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        var key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                .decode(pem)));
        Cipher jceDefault = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        jceDefault.init(Cipher.DECRYPT_MODE, key);
        byte[] cipher = HexFormat.of().parseHex(keys.encrypt("sk-provider-secret"));
        assertThrows(javax.crypto.BadPaddingException.class, () -> jceDefault.doFinal(cipher));
    }

    @Test
    void aWrongKeyOrPasswordSaysSoWithoutTheValue() throws Exception {
        BudappKeys other = BudappKeys.generate();
        String cipher = other.encrypt("sk-provider-secret");
        RsaSecrets.SecretException e = assertThrows(RsaSecrets.SecretException.class,
                () -> from(Map.of(RsaSecrets.KEY_PATH_VARIABLE, keys.privateKey.toString())).decrypt(cipher));
        assertFalse(e.getMessage().contains(cipher.substring(0, 16)), e.getMessage());
        IllegalArgumentException wrongPassword = assertThrows(IllegalArgumentException.class,
                () -> from(Map.of(RsaSecrets.KEY_PATH_VARIABLE, keys.encryptedPkcs8("right").toString(),
                        RsaSecrets.PASSWORD_VARIABLE, "wrong")));
        assertTrue(wrongPassword.getMessage().contains("wrong password"), wrongPassword.getMessage());
        assertFalse(wrongPassword.getMessage().contains("right"));
    }

    @Test
    void withoutAKeyValuesAreTakenAsTheyAre() throws Exception {
        assertEquals("plain", RsaSecrets.none().decrypt("plain"));
    }
}
