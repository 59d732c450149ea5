package dev.orderpipeline.source.intake;

/**
 * One thing wrong with a request, named by the field (or header) at fault.
 *
 * @param field the body field or header
 * @param message what is wrong, as a phrase following the field's name
 */
public record FieldError(String field, String message) {

}
