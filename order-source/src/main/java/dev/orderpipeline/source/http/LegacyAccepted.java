package dev.orderpipeline.source.http;

import java.util.UUID;

/**
 * The legacy route's answer: the legacy message, plus the order's id.
 *
 * @param message always "Order queued succesfully"
 * @param orderId the order's id
 */
public record LegacyAccepted(String message, UUID orderId) {

}
