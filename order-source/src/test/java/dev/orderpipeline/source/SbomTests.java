package dev.orderpipeline.source;

import dev.orderpipeline.testsupport.KnownAdvisories;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar carries its bill of materials, and nothing in it has an advisory the team knows
 * of.
 */
class SbomTests {

	@Test
	void theSbomListsWhatTheServiceRunsAndNoneOfItHasAKnownAdvisory() {
		assertThat(KnownAdvisories.components()).containsKeys("com.rabbitmq:amqp-client",
				"org.springframework.cloud:spring-cloud-stream");
		assertThat(KnownAdvisories.affecting()).isEmpty();
	}

}
