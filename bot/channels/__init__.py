"""The channels the bot talks on: how each shows a screen (its layout profile) and,
in a package of its own per channel, its adapter."""
