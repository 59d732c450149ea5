package dev.orderpipeline.source.http;

import java.net.URI;
import java.util.UUID;

import dev.orderpipeline.contracts.OrderStatus;

/**
 * The answer to an accepted status change: accepted for processing, not applied yet.
 *
 * @param changeId the change's id, as the order's history will show it
 * @param orderId the order
 * @param status the status asked for
 * @param baseVersion the version it acts on
 * @param location where the order, and the change's outcome in its history, can be read
 */
public record ChangeAccepted(UUID changeId, UUID orderId, OrderStatus status, int baseVersion, URI location) {

}
