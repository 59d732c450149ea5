package dev.orderpipeline.sink.consuming;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;

import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * Test support for contexts that run without a broker.
 */
public final class DeadLetters {

	private DeadLetters() {
	}

	/**
	 * Replaces the dead-letter publisher with a mock, for contexts on the test binder.
	 */
	@Target(ElementType.TYPE)
	@Retention(RetentionPolicy.RUNTIME)
	@MockitoBean(types = DeadLetterPublisher.class)
	public @interface Mocked {

	}

}
