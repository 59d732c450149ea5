package dev.orderpipeline.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KnownAdvisoriesTests {

	@Test
	void comparesReleasesByTheirNumbers() {
		assertThat(KnownAdvisories.compare("5.27.1", "5.33.1")).isNegative();
		assertThat(KnownAdvisories.compare("5.38.0", "5.33.1")).isPositive();
		assertThat(KnownAdvisories.compare("5.33.1", "5.33.1")).isZero();
		assertThat(KnownAdvisories.compare("5.4", "5.33.1")).isNegative();
		assertThat(KnownAdvisories.compare("5.33", "5.33.1")).isNegative();
		assertThat(KnownAdvisories.compare("4.2.18.Final", "4.2.9.Final")).isPositive();
	}

}
