package dev.orderpipeline.source.order;

/**
 * One thing wrong with a request, named by the field (or header) at fault.
 *
 * @param field the body field or header
 * @param message what is wrong, as a phrase following the field's name
 */
record FieldError(String field, String message) {

}
