package dev.orderpipeline.testsupport;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import dev.orderpipeline.contracts.OrderSignature;

/**
 * The message signing key of the services under test: one per JVM, given to every service
 * with {@link TestTokens#properties()}.
 */
public final class TestSigning {

	/** The key's id. */
	public static final String KEY_ID = "test";

	private static final String KEY = newKey();

	private static final OrderSignature SIGNATURE = OrderSignature.of(Map.of(KEY_ID, KEY), KEY_ID);

	private TestSigning() {
	}

	/**
	 * Spring properties that make a service sign and verify with this key.
	 * @return property names and values
	 */
	public static Map<String, String> properties() {
		return Map.of("orders.signing.keys." + KEY_ID, KEY, "orders.signing.key-id", KEY_ID);
	}

	/**
	 * The signatures of the services under test.
	 * @return signatures that sign with this key
	 */
	public static OrderSignature signature() {
		return SIGNATURE;
	}

	/**
	 * The signature header's value for a body, as order-source sends it.
	 * @param body the message body
	 * @return the header's value
	 */
	public static String sign(byte[] body) {
		return SIGNATURE.sign(body);
	}

	/**
	 * A fresh key.
	 * @return 32 random bytes, base64
	 */
	public static String newKey() {
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		return Base64.getEncoder().encodeToString(key);
	}

}
