package dev.orderpipeline.contracts;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes order-source's messages verifiable on every binder: a header naming a signing key
 * and carrying the HMAC-SHA256 of the message body under it. The body is the whole
 * {@link OrderPlaced} (its id, sender, channel and time included), so no field can be
 * changed or made up without the key. The services share the keys; the sink accepts any
 * key it holds, so keys rotate without downtime.
 */
public final class OrderSignature {

	/** The message header carrying the signature: {@code <key id>:<base64url HMAC>}. */
	public static final String HEADER = "order_signature";

	/** Shortest key accepted, in bytes (the size of the HMAC). */
	public static final int MINIMUM_KEY_BYTES = 32;

	private static final String ALGORITHM = "HmacSHA256";

	private final Map<String, SecretKeySpec> keys;

	private final String signingKeyId;

	private OrderSignature(Map<String, SecretKeySpec> keys, String signingKeyId) {
		this.keys = keys;
		this.signingKeyId = signingKeyId;
	}

	/**
	 * Signatures with these keys.
	 * @param keys each key's id and its secret, base64-encoded (at least 32 bytes)
	 * @param signingKeyId the key that signs, or {@code null} for verifying only
	 * @return the signatures
	 * @throws IllegalArgumentException if a key is too short, not base64, or its id is
	 * not usable in the header, or the signing key is not among the keys
	 */
	public static OrderSignature of(Map<String, String> keys, String signingKeyId) {
		Map<String, SecretKeySpec> secrets = new LinkedHashMap<>();
		keys.forEach((id, secret) -> {
			if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
				throw new IllegalArgumentException("A signing key id must be 1 to 64 letters, digits, '.', '_' or '-'");
			}
			byte[] bytes;
			try {
				bytes = Base64.getDecoder().decode((secret != null) ? secret.trim() : "");
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("Signing key " + id + " is not base64", ex);
			}
			if (bytes.length < MINIMUM_KEY_BYTES) {
				throw new IllegalArgumentException("Signing key " + id + " has " + bytes.length + " bytes; at least "
						+ MINIMUM_KEY_BYTES + " needed");
			}
			secrets.put(id, new SecretKeySpec(bytes, ALGORITHM));
		});
		if (signingKeyId != null && !secrets.containsKey(signingKeyId)) {
			throw new IllegalArgumentException(
					"The signing key " + signingKeyId + " is not among the keys " + secrets.keySet());
		}
		return new OrderSignature(Map.copyOf(secrets), signingKeyId);
	}

	/**
	 * Whether these signatures sign, not only verify.
	 * @return {@code true} with a signing key
	 */
	public boolean signs() {
		return this.signingKeyId != null;
	}

	/**
	 * The signature of a message body.
	 * @param body the body as sent
	 * @return the header's value
	 * @throws IllegalStateException if these signatures have no signing key
	 */
	public String sign(byte[] body) {
		if (this.signingKeyId == null) {
			throw new IllegalStateException("No signing key");
		}
		return this.signingKeyId + ":"
				+ Base64.getUrlEncoder().withoutPadding().encodeToString(mac(this.keys.get(this.signingKeyId), body));
	}

	/**
	 * Checks a message's signature.
	 * @param signature the header's value as received ({@code String} or {@code byte[]})
	 * @param body the body as received
	 * @return {@code null} if it verifies, else why not (without the body)
	 */
	public String verify(Object signature, byte[] body) {
		String value = (signature instanceof byte[] bytes) ? new String(bytes, StandardCharsets.US_ASCII)
				: String.valueOf(signature);
		int colon = value.indexOf(':');
		if (colon < 1) {
			return "the signature header is malformed";
		}
		SecretKeySpec key = this.keys.get(value.substring(0, colon));
		if (key == null) {
			return "the signature's key is unknown";
		}
		byte[] given;
		try {
			given = Base64.getUrlDecoder().decode(value.substring(colon + 1));
		}
		catch (IllegalArgumentException ex) {
			return "the signature header is malformed";
		}
		return MessageDigest.isEqual(given, mac(key, body)) ? null : "the signature does not match the body";
	}

	private static byte[] mac(SecretKeySpec key, byte[] body) {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(key);
			return mac.doFinal(body);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
