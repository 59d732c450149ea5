package dev.orderpipeline.source.intake;

/**
 * An order placed in another sender's name than the token's subject; answered 403.
 */
public class SenderMismatchException extends RuntimeException {

	SenderMismatchException() {
		super("sender_userId must be the subject of the bearer token: orders are placed in one's own name");
	}

}
