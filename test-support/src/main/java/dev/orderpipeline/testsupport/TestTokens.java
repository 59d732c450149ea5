package dev.orderpipeline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Bearer tokens for tests: one RSA key pair per JVM whose public key the services under
 * test trust (through {@link #properties()}), and tokens signed with it, or made wrong on
 * purpose.
 */
public final class TestTokens {

	/** The issuer the services are configured to trust. */
	public static final String ISSUER = "https://issuer.orderpipeline.test";

	/** The audience the services are configured to require. */
	public static final String AUDIENCE = "order-pipeline";

	private static final TestTokens SHARED = new TestTokens();

	private final KeyPair keys = rsaKeyPair();

	private final Path publicKey;

	private TestTokens() {
		try {
			this.publicKey = Files.createTempFile("order-pipeline-test-key", ".pem");
			this.publicKey.toFile().deleteOnExit();
			Files.writeString(this.publicKey, pem(this.keys), StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The key pair of this JVM.
	 * @return the shared instance
	 */
	public static TestTokens shared() {
		return SHARED;
	}

	/**
	 * Spring properties that make a service trust these tokens, and sign and verify order
	 * messages with this JVM's signing key ({@link TestSigning}).
	 * @return property names and values
	 */
	public Map<String, String> properties() {
		Map<String, String> properties = new LinkedHashMap<>(TestSigning.properties());
		properties.put("spring.security.oauth2.resourceserver.jwt.public-key-location", "file:" + this.publicKey);
		properties.put("spring.security.oauth2.resourceserver.jwt.issuer-uri", ISSUER);
		properties.put("spring.security.oauth2.resourceserver.jwt.audiences", AUDIENCE);
		return properties;
	}

	/**
	 * Makes a Spring test's application trust these tokens.
	 * @param registry the test's dynamic properties
	 */
	public void register(DynamicPropertyRegistry registry) {
		properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	/**
	 * {@link #properties()} as {@code --name=value} command-line arguments.
	 * @return the arguments
	 */
	public List<String> arguments() {
		return properties().entrySet().stream().map((entry) -> "--" + entry.getKey() + "=" + entry.getValue()).toList();
	}

	/**
	 * A valid token.
	 * @param subject the caller
	 * @param scopes its scopes, such as {@code orders:write}
	 * @return the token
	 */
	public String token(String subject, String... scopes) {
		return claims(subject).scopes(scopes).sign();
	}

	/**
	 * A token to adjust before signing.
	 * @param subject the caller
	 * @return a valid token's claims, one hour long
	 */
	public Claims claims(String subject) {
		return new Claims(this,
				new JWTClaimsSet.Builder().issuer(ISSUER)
					.subject(subject)
					.audience(AUDIENCE)
					.issueTime(new Date())
					.expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
					.jwtID(UUID.randomUUID().toString()));
	}

	private static KeyPair rsaKeyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String pem(KeyPair keys) {
		return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
			.encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
	}

	/**
	 * The claims of a token being made.
	 */
	public static final class Claims {

		private final TestTokens tokens;

		private final JWTClaimsSet.Builder claims;

		private JOSEObjectType type = JOSEObjectType.JWT;

		private Claims(TestTokens tokens, JWTClaimsSet.Builder claims) {
			this.tokens = tokens;
			this.claims = claims;
		}

		public Claims scopes(String... scopes) {
			this.claims.claim("scope", String.join(" ", scopes));
			return this;
		}

		public Claims roles(String... roles) {
			this.claims.claim("roles", List.of(roles));
			return this;
		}

		public Claims issuer(String issuer) {
			this.claims.issuer(issuer);
			return this;
		}

		public Claims audience(String audience) {
			this.claims.audience(audience);
			return this;
		}

		public Claims expiresAt(Instant expiry) {
			this.claims.expirationTime((expiry != null) ? Date.from(expiry) : null);
			return this;
		}

		/**
		 * The token's type ({@code typ} header): {@code JWT} unless set; {@code at+jwt}
		 * for an RFC 9068 access token, {@code null} for none.
		 * @param type the type
		 * @return these claims
		 */
		public Claims type(String type) {
			this.type = (type != null) ? new JOSEObjectType(type) : null;
			return this;
		}

		public Claims subject(String subject) {
			this.claims.subject(subject);
			return this;
		}

		/**
		 * Signs with the trusted key (RS256).
		 * @return the token
		 */
		public String sign() {
			return sign(new RSASSASigner((RSAPrivateKey) this.tokens.keys.getPrivate()), JWSAlgorithm.RS256);
		}

		/**
		 * Signs with another RSA key, which the services do not trust.
		 * @return the token
		 */
		public String signWithUntrustedKey() {
			return sign(new RSASSASigner((RSAPrivateKey) rsaKeyPair().getPrivate()), JWSAlgorithm.RS256);
		}

		/**
		 * Signs with HMAC, the trusted public key as the secret: the classic
		 * key-confusion attack on services that take the algorithm from the token.
		 * @return the token
		 */
		public String signHs256WithPublicKey() {
			try {
				byte[] secret = ((RSAPublicKey) this.tokens.keys.getPublic()).getEncoded();
				return sign(new MACSigner(secret), JWSAlgorithm.HS256);
			}
			catch (JOSEException ex) {
				throw new IllegalStateException(ex);
			}
		}

		/**
		 * No signature at all: {@code "alg": "none"}.
		 * @return the token
		 */
		public String unsigned() {
			return new PlainJWT(this.claims.build()).serialize();
		}

		private String sign(com.nimbusds.jose.JWSSigner signer, JWSAlgorithm algorithm) {
			try {
				SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(this.type).build(),
						this.claims.build());
				jwt.sign(signer);
				return jwt.serialize();
			}
			catch (JOSEException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
