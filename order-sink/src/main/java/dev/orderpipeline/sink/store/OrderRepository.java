package dev.orderpipeline.sink.store;

import java.util.UUID;

import org.springframework.data.repository.reactive.ReactiveCrudRepository;

/**
 * Reads stored orders. Writes go through {@link OrderStore}, which inserts a batch in one
 * statement.
 */
public interface OrderRepository extends ReactiveCrudRepository<StoredOrder, UUID> {

}
