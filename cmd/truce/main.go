// Command truce runs the Truce ceasefire coordination desk.
//
//	truce demo      load the Syria 2016 scenario into a fresh data directory and serve it
//	truce serve     serve the desk from a data directory or a PostgreSQL database
//	truce migrate   bring a database's schema up to date
//	truce version   print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var ec *exitCode
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.As(err, &ec):
		fmt.Fprintln(os.Stderr, "truce:", ec.msg)
		os.Exit(ec.code)
	case err != nil:
		fmt.Fprintln(os.Stderr, "truce:", err)
		os.Exit(1)
	}
}

// exitCode is an error that asks for a particular exit status, so that a
// script can tell "some rows were rejected" (3) from "could not run" (1).
type exitCode struct {
	code int
	msg  string
}

func (e *exitCode) Error() string { return e.msg }

// exitPartial is the status of a batch command some of whose items failed
// while the others were stored.
const exitPartial = 3

// usageText lists the commands.
func usageText() string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("Truce — a ceasefire monitoring and coordination desk.\n\nUsage:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  truce %-10s %s\n", n, commands[n].summary)
	}
	b.WriteString("  truce version    print the version\n\nRun 'truce COMMAND -h' for a command's flags.\n")
	return b.String()
}

// command is a subcommand of truce.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands holds the subcommands; each file registers its own in init, so a
// new command is one new file.
var commands = map[string]command{
	"serve":   {"serve the desk", runServe},
	"demo":    {"load the Syria 2016 demo into a fresh data directory and serve it", runDemo},
	"migrate": {"bring the database schema up to date", runMigrate},
}

// run executes one command; main only wires it to the process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText())
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	if c, ok := commands[cmd]; ok {
		return c.run(ctx, rest, stdout, stderr)
	}
	switch cmd {
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "truce", version())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText())
		return nil
	default:
		fmt.Fprintf(stderr, "truce: unknown command %q\n\n%s", cmd, usageText())
		return flag.ErrHelp
	}
}

// version reports the module version and VCS revision the binary was built from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += " (modified)"
			}
		}
	}
	return v
}

// env returns the environment variable or the fallback.
func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// newLogger returns the one logger passed down to every component.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
