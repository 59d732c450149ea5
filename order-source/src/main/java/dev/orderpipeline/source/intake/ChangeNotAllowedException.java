package dev.orderpipeline.source.intake;

import dev.orderpipeline.contracts.OrderStatus;

/**
 * A status the caller could make on no order (a sender asking to approve, say): answered
 * 403, which tells nothing about any order.
 */
public class ChangeNotAllowedException extends RuntimeException {

	public ChangeNotAllowedException(OrderStatus status) {
		super((status == OrderStatus.CANCELLED)
				? "Only a sender (scope orders:write) or an administrator cancels an order"
				: "Only a pharmacist or an administrator makes an order " + status);
	}

}
