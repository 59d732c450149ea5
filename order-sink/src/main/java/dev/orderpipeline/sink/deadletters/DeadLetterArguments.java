package dev.orderpipeline.sink.deadletters;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The arguments of a dead-letter command, parsed: the command's own, and the Spring
 * properties ({@code --name.with.dots=value}) that configure its broker connection.
 *
 * @param command what to do
 * @param page the page to list, from 1
 * @param size messages per page
 * @param all replay every message
 * @param ids else the order ids to replay
 * @param springArguments the {@code --name.with.dots=value} properties
 */
record DeadLetterArguments(Command command, int page, int size, boolean all, Set<String> ids,
		String[] springArguments) {

	static final int MAX_PAGE_SIZE = 1000;

	/**
	 * Parses a command's arguments.
	 * @param args the program's arguments, {@value DeadLetterCommand#NAME} first
	 * @return the arguments
	 * @throws IllegalArgumentException naming what is wrong
	 */
	static DeadLetterArguments parse(String[] args) {
		if (!DeadLetterCommand.isCommand(args)) {
			throw new IllegalArgumentException("the first argument must be " + DeadLetterCommand.NAME);
		}
		List<String> springArguments = new ArrayList<>();
		List<String> own = new ArrayList<>();
		for (String argument : Arrays.asList(args).subList(1, args.length)) {
			String name = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
			(name.startsWith("--") && name.contains(".") ? springArguments : own).add(argument);
		}
		if (own.isEmpty()) {
			throw new IllegalArgumentException("say which command: list or replay");
		}
		Command command = switch (own.get(0)) {
			case "list" -> Command.LIST;
			case "replay" -> Command.REPLAY;
			case "help", "--help", "-h" -> Command.HELP;
			default -> throw new IllegalArgumentException("unknown command '" + own.get(0) + "' (list or replay)");
		};
		int page = 1;
		int size = 20;
		boolean all = false;
		Set<String> ids = null;
		for (String argument : own.subList(1, own.size())) {
			String name = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
			String value = argument.contains("=") ? argument.substring(argument.indexOf('=') + 1) : null;
			if (command == Command.LIST && name.equals("--page")) {
				page = number(name, value, 1, Integer.MAX_VALUE);
			}
			else if (command == Command.LIST && name.equals("--size")) {
				size = number(name, value, 1, MAX_PAGE_SIZE);
			}
			else if (command == Command.REPLAY && argument.equals("--all")) {
				all = true;
			}
			else if (command == Command.REPLAY && name.equals("--ids")) {
				ids = ids(value);
			}
			else {
				throw new IllegalArgumentException("unknown argument '" + argument + "' for " + own.get(0));
			}
		}
		if (command == Command.REPLAY && all == (ids != null)) {
			throw new IllegalArgumentException("replay needs either --all or --ids=ID[,ID...]");
		}
		if (page > Integer.MAX_VALUE / size) {
			throw new IllegalArgumentException("--page=" + page + " is too far with --size=" + size);
		}
		return new DeadLetterArguments(command, page, size, all, (ids != null) ? ids : Set.of(),
				springArguments.toArray(String[]::new));
	}

	private static int number(String name, String value, int min, int max) {
		try {
			int number = Integer.parseInt((value != null) ? value : "");
			if (number >= min && number <= max) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException(
				name + " must be a number from " + min + " to " + max + ", not '" + value + "'");
	}

	private static Set<String> ids(String value) {
		Set<String> ids = new LinkedHashSet<>();
		for (String id : ((value != null) ? value : "").split(",")) {
			if (!id.isBlank()) {
				ids.add(id.trim());
			}
		}
		if (ids.isEmpty()) {
			throw new IllegalArgumentException("--ids needs at least one order id");
		}
		return ids;
	}

	enum Command {

		LIST, REPLAY, HELP

	}

}
