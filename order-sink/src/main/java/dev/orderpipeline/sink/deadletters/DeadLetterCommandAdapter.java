package dev.orderpipeline.sink.deadletters;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * Imports the broker adapter of the dead-letter commands, which provides
 * {@link DeadLetters}: the configurations listed in
 * {@code META-INF/spring/dev.orderpipeline.sink.deadletters.DeadLetterCommandAdapter.imports},
 * so that the commands name no adapter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ImportAutoConfiguration
public @interface DeadLetterCommandAdapter {

}
