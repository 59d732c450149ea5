package dev.orderpipeline.source.rabbit;

import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicReference;

import dev.orderpipeline.source.publishing.OrderPublisher;
import dev.orderpipeline.source.publishing.PublishFailedException;
import dev.orderpipeline.source.publishing.SendBatcher;
import dev.orderpipeline.source.publishing.SendBatcherTests;
import dev.orderpipeline.testsupport.TestSigning;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.cloud.stream.function.StreamBridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * A send that fails is answered off the sender's thread, which goes on sending.
 */
class RabbitOrderBrokerSendFailureTests {

	private final SendBatcher sender = new SendBatcher(SendBatcherTests.properties(8), (event) -> {
	});

	@AfterEach
	void stop() throws InterruptedException {
		this.sender.destroy();
	}

	@Test
	void answersAFailedSendOffTheSendersThread() {
		StreamBridge bridge = mock(StreamBridge.class);
		given(bridge.send(anyString(), any())).willThrow(new AmqpConnectException(new ConnectException("refused")));
		OrderPublisher publisher = new OrderPublisher(new RabbitOrderBroker(bridge, "orders-out-0", this.sender),
				JsonMapper.builder().build(), SendBatcherTests.properties(8), TestSigning.signature(),
				new SimpleMeterRegistry());
		AtomicReference<String> answeredOn = new AtomicReference<>();
		StepVerifier
			.create(publisher.publish(RabbitOrderBrokerTests.order())
				.doOnError((ex) -> answeredOn.set(Thread.currentThread().getName())))
			.verifyErrorSatisfies((ex) -> assertThat(ex).isInstanceOfSatisfying(PublishFailedException.class,
					(failed) -> assertThat(failed.getReason())
						.isEqualTo(PublishFailedException.Reason.BROKER_UNAVAILABLE)));
		assertThat(answeredOn.get()).isNotNull().doesNotStartWith("order-publish-");
	}

}
