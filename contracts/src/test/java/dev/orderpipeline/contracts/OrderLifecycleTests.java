package dev.orderpipeline.contracts;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every step between every two statuses, for every kind of caller.
 */
class OrderLifecycleTests {

	private static final Map<OrderStatus, Set<OrderStatus>> LEGAL = Map.of(OrderStatus.PENDING,
			EnumSet.of(OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.CANCELLED), OrderStatus.APPROVED,
			EnumSet.of(OrderStatus.DISPATCHED, OrderStatus.CANCELLED), OrderStatus.DISPATCHED,
			EnumSet.of(OrderStatus.DELIVERED), OrderStatus.REJECTED, EnumSet.noneOf(OrderStatus.class),
			OrderStatus.DELIVERED, EnumSet.noneOf(OrderStatus.class), OrderStatus.CANCELLED,
			EnumSet.noneOf(OrderStatus.class));

	@ParameterizedTest
	@EnumSource(OrderStatus.class)
	void allowsExactlyTheLifecyclesStepsFromEachStatus(OrderStatus from) {
		for (OrderStatus to : OrderStatus.values()) {
			assertThat(OrderLifecycle.allows(from, to)).as(from + " -> " + to).isEqualTo(LEGAL.get(from).contains(to));
		}
	}

	@Test
	void noStepLeadsBackToPending() {
		for (OrderStatus from : OrderStatus.values()) {
			assertThat(OrderLifecycle.allows(from, OrderLifecycle.INITIAL)).isFalse();
		}
	}

	@ParameterizedTest
	@EnumSource(OrderStatus.class)
	void pharmacistsApproveRejectDispatchAndDeliverButDoNotCancel(OrderStatus from) {
		for (OrderStatus to : OrderStatus.values()) {
			boolean expected = EnumSet
				.of(OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.DISPATCHED, OrderStatus.DELIVERED)
				.contains(to);
			assertThat(OrderLifecycle.mayMake(from, to, true, false, false)).as(from + " -> " + to).isEqualTo(expected);
		}
	}

	@ParameterizedTest
	@EnumSource(OrderStatus.class)
	void aSenderCancelsItsOwnOrderOnlyWhilePending(OrderStatus from) {
		for (OrderStatus to : OrderStatus.values()) {
			boolean expected = to == OrderStatus.CANCELLED && from == OrderStatus.PENDING;
			assertThat(OrderLifecycle.mayMake(from, to, false, false, true)).as(from + " -> " + to).isEqualTo(expected);
			assertThat(OrderLifecycle.mayMake(from, to, false, false, false))
				.as("another sender: " + from + " -> " + to)
				.isFalse();
		}
	}

	@ParameterizedTest
	@EnumSource(OrderStatus.class)
	void administratorsMakeEveryChange(OrderStatus from) {
		for (OrderStatus to : OrderStatus.values()) {
			assertThat(OrderLifecycle.mayMake(from, to, false, true, false)).isTrue();
		}
	}

	@Test
	void aPharmacistWhoIsTheSenderCancelsItsOwnPendingOrder() {
		assertThat(OrderLifecycle.mayMake(OrderStatus.PENDING, OrderStatus.CANCELLED, true, false, true)).isTrue();
		assertThat(OrderLifecycle.mayMake(OrderStatus.APPROVED, OrderStatus.CANCELLED, true, false, true)).isFalse();
	}

	@ParameterizedTest
	@EnumSource(OrderStatus.class)
	void whatACallerMayAskWithoutKnowingTheOrder(OrderStatus to) {
		boolean pharmacists = EnumSet
			.of(OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.DISPATCHED, OrderStatus.DELIVERED)
			.contains(to);
		assertThat(OrderLifecycle.mayAsk(to, true, false, false)).isEqualTo(pharmacists);
		assertThat(OrderLifecycle.mayAsk(to, false, false, true)).isEqualTo(to == OrderStatus.CANCELLED);
		assertThat(OrderLifecycle.mayAsk(to, false, true, false)).isEqualTo(to != OrderStatus.PENDING);
		assertThat(OrderLifecycle.mayAsk(to, false, false, false)).isFalse();
	}

}
