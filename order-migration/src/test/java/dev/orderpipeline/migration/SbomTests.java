package dev.orderpipeline.migration;

import dev.orderpipeline.testsupport.KnownAdvisories;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar carries its bill of materials, and nothing in it has an advisory the team knows
 * of.
 */
class SbomTests {

	@Test
	void theSbomListsWhatTheCommandRunsAndNoneOfItHasAKnownAdvisory() {
		assertThat(KnownAdvisories.components()).containsKeys("org.postgresql:postgresql", "com.zaxxer:HikariCP",
				"org.springframework:spring-web");
		assertThat(KnownAdvisories.affecting()).isEmpty();
	}

}
