/*
 * commands.h - every subcommand's entry point. Each returns the process exit status.
 */
#ifndef LH_CLI_COMMANDS_H
#define LH_CLI_COMMANDS_H

int lh_cmd_dir(int argc, char **argv);
int lh_cmd_stdin(int argc, char **argv);
int lh_cmd_rules(int argc, char **argv);
int lh_cmd_baseline(int argc, char **argv);

#endif
