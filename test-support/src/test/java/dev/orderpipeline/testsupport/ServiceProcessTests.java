package dev.orderpipeline.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceProcessTests {

	@Test
	void initialHeapIs48MegabytesUnlessTheWholeHeapIsSmaller() {
		assertThat(ServiceProcess.initialHeap("160m")).isEqualTo("48m");
		assertThat(ServiceProcess.initialHeap("1G")).isEqualTo("48m");
		assertThat(ServiceProcess.initialHeap("262144k")).isEqualTo("48m");
		assertThat(ServiceProcess.initialHeap("32m")).isEqualTo("32m");
		assertThat(ServiceProcess.initialHeap("33554432")).isEqualTo("33554432");
	}

}
