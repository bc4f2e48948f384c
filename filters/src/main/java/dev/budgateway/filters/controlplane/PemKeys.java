package dev.budgateway.filters.controlplane;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.Provider;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Bouncy Castle for {@link RsaSecrets}, in a class of its own so that it is loaded only when a key is
 * configured: its provider brings some 500 classes and its signed jars' manifests, which a gateway without
 * a key should not carry.
 */
final class PemKeys {

    private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();

    private PemKeys() {}

    static Provider provider() {
        return PROVIDER;
    }

    /** Reads a PEM private key: PKCS#1, PKCS#8 or encrypted PKCS#8. */
    static PrivateKey parse(String pem, String password, String where) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(PROVIDER);
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                if (password == null || password.isEmpty()) {
                    throw new IllegalArgumentException("the RSA private key in " + where + " is encrypted: set "
                            + RsaSecrets.PASSWORD_VARIABLE);
                }
                return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(
                        new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(PROVIDER).build(
                                password.toCharArray())));
            }
            throw new IllegalArgumentException(where + " holds no PEM private key (expected PKCS#1 'RSA PRIVATE "
                    + "KEY', PKCS#8 'PRIVATE KEY' or 'ENCRYPTED PRIVATE KEY')");
        } catch (PKCSException e) {
            throw new IllegalArgumentException("cannot decrypt the RSA private key in " + where
                    + ": wrong password?");
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalArgumentException("cannot read the RSA private key in " + where + ": not valid PEM");
        }
    }
}
