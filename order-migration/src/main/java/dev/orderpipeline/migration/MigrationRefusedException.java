package dev.orderpipeline.migration;

/**
 * What stops a migration at once: order-source refusing the migration itself (the token,
 * its scopes, a batch larger than a stream takes), or a setting missing. Trying again
 * would not do better.
 */
class MigrationRefusedException extends RuntimeException {

	MigrationRefusedException(String message) {
		super(message);
	}

}
