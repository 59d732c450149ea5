package dev.orderpipeline.source.intake;

/**
 * A migration stream on a service where migration is off
 * ({@code orders.source.migration-enabled=false}): answered 403.
 */
public class MigrationOffException extends RuntimeException {

	public MigrationOffException() {
		super("This service migrates no orders now: migration is on only for the migration window "
				+ "(orders.source.migration-enabled=true)");
	}

}
