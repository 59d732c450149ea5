package dev.orderpipeline.source.rabbit;

import java.util.function.Consumer;

import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Runs sends on one channel of a template: the template's sends within
 * {@link RabbitTemplate#invoke invoke} all use the channel it binds to the thread. The
 * channel carries every publish while their confirms are outstanding, and the broker
 * confirms them together. Spring AMQP gives a channel back to its cache only when all its
 * confirms are in; sent one by one, every order held a channel of its own and cost a
 * channel checkout and return, and the broker a channel of its own to acknowledge; a
 * scope per batch still spread moderate load over dozens of channels, which cost the
 * broker about a fifth more per order.
 *
 * @param template the binder's template of the orders binding
 */
record ChannelScope(RabbitTemplate template) implements Consumer<Runnable> {

	@Override
	public void accept(Runnable sends) {
		this.template.invoke((operations) -> {
			sends.run();
			return null;
		});
	}

}
