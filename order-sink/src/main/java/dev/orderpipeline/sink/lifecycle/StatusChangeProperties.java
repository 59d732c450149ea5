package dev.orderpipeline.sink.lifecycle;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of status changes.
 *
 * @param waitLimit how long a change whose order, or whose base version, has not arrived
 * waits before it is refused as {@code EXPIRED}. Default 10 minutes.
 * @param sweep how often waiting changes are decided again (those whose base arrived
 * through another sink, and those past their wait). Default 5 seconds.
 */
@ConfigurationProperties("orders.sink.status-changes")
public record StatusChangeProperties(@DefaultValue("10m") Duration waitLimit, @DefaultValue("5s") Duration sweep) {

}
