/*
 * commands.h - every subcommand's entry point. Each returns the process exit status.
 */
#ifndef LH_CLI_COMMANDS_H
#define LH_CLI_COMMANDS_H

int lh_cmd_dir(int argc, char **argv);
int lh_cmd_stdin(int argc, char **argv);
int lh_cmd_rules(int argc, char **argv);
int lh_cmd_baseline(int argc, char **argv);
/* git-aware subcommands (cmd_git.c, cmd_precommit.c, cmd_prepush.c, cmd_prereceive.c, cmd_ci.c,
 * cmd_install.c) */
int lh_cmd_git(int argc, char **argv);
int lh_cmd_pre_commit(int argc, char **argv);
int lh_cmd_pre_push(int argc, char **argv);
int lh_cmd_pre_receive(int argc, char **argv);
int lh_cmd_ci(int argc, char **argv);
int lh_cmd_install(int argc, char **argv);
int lh_cmd_uninstall(int argc, char **argv);

#endif
