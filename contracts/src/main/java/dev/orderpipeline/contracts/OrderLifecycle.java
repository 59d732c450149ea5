package dev.orderpipeline.contracts;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * How an order moves: {@code PENDING -> APPROVED | REJECTED},
 * {@code APPROVED -> DISPATCHED -> DELIVERED}, and {@code CANCELLED} from {@code PENDING}
 * or {@code APPROVED}. Pharmacists approve, reject, dispatch and deliver; a sender
 * cancels its own order while it is {@code PENDING}; administrators make every change.
 * Both services read these rules: order-source to refuse a request its caller could never
 * make, order-sink to decide each request on the order as stored.
 */
public final class OrderLifecycle {

	/** Where every order starts, whatever a legacy status list says. */
	public static final OrderStatus INITIAL = OrderStatus.PENDING;

	/** The role of pharmacists in a token and in a {@link StatusChangeRequested}. */
	public static final String PHARMACIST = "pharmacist";

	/** The role of administrators in a token and in a {@link StatusChangeRequested}. */
	public static final String ADMIN = "admin";

	private static final Map<OrderStatus, Set<OrderStatus>> NEXT = Map.of(OrderStatus.PENDING,
			EnumSet.of(OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.CANCELLED), OrderStatus.APPROVED,
			EnumSet.of(OrderStatus.DISPATCHED, OrderStatus.CANCELLED), OrderStatus.DISPATCHED,
			EnumSet.of(OrderStatus.DELIVERED), OrderStatus.REJECTED, EnumSet.noneOf(OrderStatus.class),
			OrderStatus.DELIVERED, EnumSet.noneOf(OrderStatus.class), OrderStatus.CANCELLED,
			EnumSet.noneOf(OrderStatus.class));

	private static final Set<OrderStatus> PHARMACISTS_CHANGES = EnumSet.of(OrderStatus.APPROVED, OrderStatus.REJECTED,
			OrderStatus.DISPATCHED, OrderStatus.DELIVERED);

	private OrderLifecycle() {
	}

	/**
	 * Whether an order may move from one status to another at all.
	 * @param from the order's status
	 * @param to the status asked for
	 * @return whether the lifecycle has that step
	 */
	public static boolean allows(OrderStatus from, OrderStatus to) {
		return NEXT.get(from).contains(to);
	}

	/**
	 * Whether a caller could ever ask for a status, on some order: what order-source
	 * checks before it publishes a request, knowing neither the order's sender nor its
	 * status.
	 * @param to the status asked for
	 * @param pharmacist whether the caller is a pharmacist
	 * @param admin whether the caller is an administrator
	 * @param writer whether the caller places orders of its own (scope orders:write)
	 * @return whether such a request can succeed on some order
	 */
	public static boolean mayAsk(OrderStatus to, boolean pharmacist, boolean admin, boolean writer) {
		if (to == INITIAL) {
			return false;
		}
		return admin || (pharmacist && PHARMACISTS_CHANGES.contains(to)) || (writer && to == OrderStatus.CANCELLED);
	}

	/**
	 * Whether a caller may make a step the lifecycle has on an order.
	 * @param from the order's status
	 * @param to the status asked for
	 * @param pharmacist whether the caller is a pharmacist
	 * @param admin whether the caller is an administrator
	 * @param owner whether the caller is the order's sender
	 * @return whether the caller may make it
	 */
	public static boolean mayMake(OrderStatus from, OrderStatus to, boolean pharmacist, boolean admin, boolean owner) {
		return admin || (pharmacist && PHARMACISTS_CHANGES.contains(to))
				|| (owner && to == OrderStatus.CANCELLED && from == OrderStatus.PENDING);
	}

}
