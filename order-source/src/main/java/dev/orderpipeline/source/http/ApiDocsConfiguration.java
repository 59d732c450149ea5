package dev.orderpipeline.source.http;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

import org.springframework.context.annotation.Configuration;

/**
 * The HTTP API's OpenAPI description ({@code /v3/api-docs}, UI at
 * {@code /swagger-ui.html}). The messages are described by the AsyncAPI document in
 * contracts.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
		info = @Info(title = "order-source", version = "1",
				description = "Medication orders in: each answered only once the broker confirmed it."),
		security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
class ApiDocsConfiguration {

}
