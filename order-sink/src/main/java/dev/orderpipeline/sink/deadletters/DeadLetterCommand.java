package dev.orderpipeline.sink.deadletters;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The operator's commands on the dead-letter queue, run from the sink's jar:
 * {@code java -jar order-sink.jar dead-letters list|replay ...}. They start the broker
 * connection only (no web server, no consumer of the order queue, no database), print
 * what they did and end with an exit status. Never prints a message body: orders hold
 * health data, so ids and causes only.
 */
public final class DeadLetterCommand {

	/** The first argument that selects these commands. */
	public static final String NAME = "dead-letters";

	/** The command did what it was asked. */
	public static final int OK = 0;

	/** The command failed; the error says what became of the messages. */
	public static final int FAILED = 1;

	/** The arguments were wrong; nothing was done. */
	public static final int USAGE = 2;

	/**
	 * The replay ran, but some selected messages had reached the replay cap or some ids
	 * were not in the dead-letter queue.
	 */
	public static final int INCOMPLETE = 3;

	static final String USAGE_TEXT = """
			Usage: java -jar order-sink.jar dead-letters <command> [--spring.property=value ...]
			  list [--page=N] [--size=N]   dead-lettered messages, page N (default 1) of N messages
			                               (default 20, at most 1000): position, order id, time,
			                               failure kind, cause, replays so far; bodies are never shown
			  replay --ids=ID[,ID...]      republish the messages with these order ids to the order queue
			  replay --all                 republish every dead-lettered message
			A message replayed orders.sink.replay.max-replays times (default 3) is not replayed again.
			Exit status: 0 done; 1 failed; 2 wrong arguments; 3 replay done, but some messages were
			refused (cap reached) or some ids were not found.
			""";

	private DeadLetterCommand() {
	}

	/**
	 * Whether the arguments name a dead-letter command.
	 * @param args the program's arguments
	 * @return {@code true} if the first is {@value #NAME}
	 */
	public static boolean isCommand(String[] args) {
		return args.length > 0 && NAME.equals(args[0]);
	}

	/**
	 * Runs a command.
	 * @param args the program's arguments, {@value #NAME} first; arguments
	 * {@code --name.with.dots=value} are Spring properties
	 * @param out where the result goes
	 * @param err where a one-line error goes
	 * @return the exit status
	 */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		DeadLetterArguments arguments;
		try {
			arguments = DeadLetterArguments.parse(args);
		}
		catch (IllegalArgumentException ex) {
			err.println(NAME + ": " + ex.getMessage() + " (see: dead-letters help)");
			return USAGE;
		}
		if (arguments.command() == DeadLetterArguments.Command.HELP) {
			out.print(USAGE_TEXT);
			return OK;
		}
		try (ConfigurableApplicationContext context = start(arguments.springArguments())) {
			DeadLetters queue = context.getBean(DeadLetters.class);
			return (arguments.command() == DeadLetterArguments.Command.LIST) ? list(queue, arguments, out)
					: replay(queue, arguments, out, err);
		}
		catch (RuntimeException ex) {
			out.flush();
			err.println(NAME + ": " + message(ex));
			return FAILED;
		}
	}

	/**
	 * The application context of the commands: the broker connection and nothing else.
	 * @param springArguments {@code --name=value} properties
	 * @return the started context
	 */
	static ConfigurableApplicationContext start(String[] springArguments) {
		SpringApplication application = new SpringApplication(DeadLetterCommandConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		application.setRegisterShutdownHook(false);
		// The output is the command's: the framework speaks up only for warnings, and
		// failures are reported once, on one line, by the command. The broker's adapter
		// quiets its client's loggers in the profile of the same name.
		application.setAdditionalProfiles(NAME);
		application.setDefaultProperties(Map.of("logging.level.root", "warn",
				"logging.level.org.springframework.boot.SpringApplication", "off",
				"logging.level.org.springframework.boot.diagnostics", "off",
				"logging.level.org.springframework.context.annotation.AnnotationConfigApplicationContext", "off"));
		return application.run(springArguments);
	}

	private static int list(DeadLetters queue, DeadLetterArguments arguments, PrintStream out) {
		DeadLetters.Page page = queue.list(arguments.page(), arguments.size());
		String name = queue.deadLetterQueue();
		if (page.depth() == 0 && page.entries().isEmpty()) {
			out.println(name + ": no dead-lettered messages");
			return OK;
		}
		out.println(name + ": " + page.depth() + " dead-lettered message" + ((page.depth() == 1) ? "" : "s") + ", page "
				+ page.page() + " of " + page.pages() + " (" + page.size() + " per page)");
		if (page.entries().isEmpty()) {
			out.println("  (page " + page.page() + " is empty)");
		}
		for (DeadLetter deadLetter : page.entries()) {
			out.println("#" + deadLetter.position() + "  order " + orderId(deadLetter) + "  "
					+ orUnknown(deadLetter.failureKind()) + "  " + time(deadLetter) + "  replayed "
					+ deadLetter.replays() + " of " + queue.maxReplays());
			out.println("    cause: " + orUnknown(deadLetter.cause()));
		}
		if (page.page() < page.pages()) {
			out.println("Next page: dead-letters list --page=" + (page.page() + 1) + " --size=" + page.size());
		}
		return OK;
	}

	private static int replay(DeadLetters queue, DeadLetterArguments arguments, PrintStream out, PrintStream err) {
		out.println("Replaying " + (arguments.all() ? "all" : String.join(", ", arguments.ids())) + " from "
				+ queue.deadLetterQueue() + " to " + queue.queue() + " (at most " + queue.maxReplays()
				+ " replays per message)");
		DeadLetters.Replay replay = queue.replay(new DeadLetters.Selection(arguments.all(), arguments.ids()),
				new DeadLetters.Progress() {

					@Override
					public void replayed(DeadLetter deadLetter) {
						out.println("  replayed  #" + deadLetter.position() + "  order " + orderId(deadLetter)
								+ "  (replay " + (deadLetter.replays() + 1) + " of " + queue.maxReplays() + ")");
					}

					@Override
					public void refused(DeadLetter deadLetter) {
						out.println("  refused   #" + deadLetter.position() + "  order " + orderId(deadLetter)
								+ "  (replayed " + deadLetter.replays() + " times, the cap; it stays)");
					}

				});
		out.println("Replayed " + replay.replayed() + ", kept " + replay.kept() + " (not selected), refused "
				+ replay.refused() + " (cap reached), unknown ids: "
				+ (replay.unknownIds().isEmpty() ? "none" : String.join(", ", replay.unknownIds())));
		if (replay.refused() > 0 || !replay.unknownIds().isEmpty()) {
			out.flush();
			err.println(NAME + ": " + replay.refused() + " refused (cap reached), " + replay.unknownIds().size()
					+ " unknown id" + ((replay.unknownIds().size() == 1) ? "" : "s"));
			return INCOMPLETE;
		}
		return OK;
	}

	private static String orderId(DeadLetter deadLetter) {
		return (deadLetter.orderId() != null) ? deadLetter.orderId() : "(no message id)";
	}

	private static String orUnknown(String text) {
		return (text != null) ? text : "(unknown)";
	}

	private static String time(DeadLetter deadLetter) {
		if (deadLetter.deadLetteredAt() != null) {
			return "dead-lettered " + format(deadLetter.deadLetteredAt());
		}
		if (deadLetter.sentAt() != null) {
			return "sent " + format(deadLetter.sentAt());
		}
		return "time unknown";
	}

	private static String format(Instant instant) {
		return instant.truncatedTo(ChronoUnit.SECONDS).toString();
	}

	private static String message(Throwable ex) {
		String message = ex.getMessage();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof DeadLetterCommandException) {
				return cause.getMessage();
			}
			if (cause.getMessage() != null) {
				message = cause.getMessage();
			}
		}
		return (message != null) ? message.replaceAll("\\s+", " ") : ex.getClass().getName();
	}

}
