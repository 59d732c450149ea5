package dev.orderpipeline.source.http;

import java.net.URI;
import java.util.UUID;

/**
 * The answer to an accepted order.
 *
 * @param orderId the order's id
 * @param location where the stored order can be read
 */
public record OrderAccepted(UUID orderId, URI location) {

}
