package dev.orderpipeline.source.rabbit;

import java.util.function.Consumer;

import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Runs sends on one channel of a template: the template's sends within
 * {@link RabbitTemplate#invoke invoke} all use the channel it binds to the thread.
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
