package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
)

const userUsage = `Usage:
  truce user add     [flags] NAME   create an account (prints a generated password unless --password-file)
  truce user list    [flags]        list accounts
  truce user disable [flags] NAME   disable an account and end its sessions
  truce user enable  [flags] NAME   enable a disabled account
  truce user reset   [flags] NAME   set a new password and end the account's sessions
  truce user token   [flags] NAME   issue an API token for the account (shown once)

Flags common to all: --data DIR (env TRUCE_DATA), --db DSN (env TRUCE_DB).
add:   --role co-chair|monitor|liaison|observer  --party SLUG-OR-ID (liaisons)  --full-name TEXT  --password-file FILE|-
reset: --password-file FILE|-
token: --scopes intake,read,triage,admin  --name TEXT  --expires DURATION (e.g. 720h; default 2160h = 90 days)
`

// runUser administers accounts from the command line: the way the first
// co-chair is created, and the way back in if every co-chair is locked out.
// Whoever can run it can read the database anyway, so it asks for no login;
// it records its changes in the audit trail as the operating-system user.
func init() {
	commands["user"] = command{"manage users and API tokens: add, list, disable, enable, reset, token", runUser}
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, userUsage) }
	var c config
	fs.StringVar(&c.data, "data", env("TRUCE_DATA", "truce-data"), "data `directory` (env TRUCE_DATA)")
	fs.StringVar(&c.db, "db", env("TRUCE_DB", ""), "database: a SQLite file path, or a postgres:// URL (env TRUCE_DB; default DATA/truce.db)")
	role := fs.String("role", "", "role: co-chair, monitor, liaison or observer")
	party := fs.String("party", "", "a liaison's party, by slug or ID")
	fullName := fs.String("full-name", "", "the person's full name")
	pwFile := fs.String("password-file", "", "read the password from this file's first line (- for standard input)")
	scopes := fs.String("scopes", "read", "token scopes: intake, read, triage, admin")
	tokenName := fs.String("name", "", "what the token is for (default: the command's user and the date)")
	expires := fs.Duration("expires", auth.DefaultTokenTTL, "token lifetime")
	names, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}

	var name string
	switch sub {
	case "list":
		if len(names) != 0 {
			return fmt.Errorf("user list takes no arguments")
		}
	case "add", "disable", "enable", "reset", "token":
		if len(names) != 1 {
			return fmt.Errorf("user %s needs exactly one account NAME\n\n%s", sub, userUsage)
		}
		name = names[0]
	case "help", "-h", "--help":
		fmt.Fprint(stdout, userUsage)
		return nil
	default:
		fmt.Fprintf(stderr, "truce user: unknown command %q\n\n%s", sub, userUsage)
		return flag.ErrHelp
	}

	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	a := auth.New(db, time.Now)
	ctx = auth.WithPrincipal(ctx, cliOperator())
	u := &userCmd{db: db, a: a, stdout: stdout}

	switch sub {
	case "add":
		return u.add(ctx, name, auth.Role(*role), *party, *fullName, *pwFile)
	case "list":
		return u.list(ctx)
	case "disable":
		return u.setDisabled(ctx, name, true)
	case "enable":
		return u.setDisabled(ctx, name, false)
	case "reset":
		return u.reset(ctx, name, *pwFile)
	default: // token
		return u.token(ctx, name, *scopes, *tokenName, *expires)
	}
}

// cliOperator is the principal the command line acts as in the audit trail.
func cliOperator() *auth.Principal {
	name := "cli"
	if cur, err := user.Current(); err == nil && cur.Username != "" {
		name = "cli:" + cur.Username
	}
	return &auth.Principal{Name: name, Role: "operator", Address: "local"}
}

// parseInterspersed lets flags follow the account name, as people type
// them: "truce user add amira --role monitor".
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

type userCmd struct {
	db     *store.DB
	a      *auth.Authenticator
	stdout io.Writer
}

func (c *userCmd) record(ctx context.Context, action string, id int64, old, new any) error {
	return c.a.Audit.Record(ctx, action, "user", id, old, new)
}

// readPassword reads the password from file, or makes one up: 128 random bits
// as 26 base32 characters, which nobody will need to guess at a keyboard
// because it is shown once, to be pasted.
func readPassword(file string) (pw string, generated bool, err error) {
	if file == "" {
		return rand.Text(), true, nil
	}
	var r io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", false, err
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, auth.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

func (c *userCmd) add(ctx context.Context, name string, role auth.Role, party, fullName, pwFile string) error {
	u := &auth.User{Name: name, FullName: fullName, Role: role}
	if party != "" {
		p, err := c.findParty(ctx, party)
		if err != nil {
			return err
		}
		u.PartyID = p.ID
	}
	if err := u.Validate(); err != nil {
		return err
	}
	pw, generated, err := readPassword(pwFile)
	if err != nil {
		return err
	}
	if u.PasswordHash, err = c.a.HashPassword(ctx, pw); err != nil {
		return err
	}
	if err := c.db.CreateUser(ctx, u); err != nil {
		return err
	}
	if err := c.record(ctx, "user.create", u.ID, nil, u); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "created %s %s (id %d)\n", u.Role, u.Name, u.ID)
	if generated {
		fmt.Fprintf(c.stdout, "password (shown once): %s\n", pw)
	}
	return nil
}

func (c *userCmd) findParty(ctx context.Context, ref string) (*domain.Party, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return c.db.Party(ctx, id)
	}
	return c.db.PartyBySlug(ctx, ref)
}

func (c *userCmd) list(ctx context.Context) error {
	users, err := c.db.Users(ctx)
	if err != nil {
		return err
	}
	slugs := map[int64]string{}
	if parties, err := c.db.Parties(ctx); err == nil {
		for _, p := range parties {
			slugs[p.ID] = p.Slug
		}
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tPARTY\tSTATUS\tCREATED\tFULL NAME")
	for _, u := range users {
		status := "active"
		if u.Disabled {
			status = "disabled"
		} else if u.PasswordHash == "" {
			status = "no password"
		}
		party := "-"
		if u.PartyID != 0 {
			party = slugs[u.PartyID]
		}
		// Names hold no control characters (User.Validate), so they
		// cannot break the columns or send escapes to the terminal.
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Name, u.Role, party, status,
			u.CreatedAt.Format("2006-01-02"), u.FullName)
	}
	return tw.Flush()
}

func (c *userCmd) setDisabled(ctx context.Context, name string, disabled bool) error {
	u, err := c.db.UserByName(ctx, name)
	if err != nil {
		return err
	}
	old := *u
	u.Disabled = disabled
	if err := c.db.UpdateUser(ctx, u); err != nil {
		return err
	}
	action, verb := "user.enable", "enabled"
	if disabled {
		action, verb = "user.disable", "disabled"
		// The Authenticator refuses a disabled user's sessions anyway;
		// deleting them leaves nothing to revive if the account is enabled.
		if _, err := c.db.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
	}
	if err := c.record(ctx, action, u.ID, &old, u); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s %s\n", verb, u.Name)
	return nil
}

func (c *userCmd) reset(ctx context.Context, name, pwFile string) error {
	u, err := c.db.UserByName(ctx, name)
	if err != nil {
		return err
	}
	pw, generated, err := readPassword(pwFile)
	if err != nil {
		return err
	}
	h, err := c.a.HashPassword(ctx, pw)
	if err != nil {
		return err
	}
	if err := c.db.SetPasswordHash(ctx, u.ID, h, time.Now()); err != nil {
		return err
	}
	n, err := c.db.DeleteUserSessions(ctx, u.ID)
	if err != nil {
		return err
	}
	// The hash itself stays out of the trail: it is json:"-" on User.
	if err := c.record(ctx, "user.reset_password", u.ID, nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "reset the password of %s and ended %d sessions\n", u.Name, n)
	if generated {
		fmt.Fprintf(c.stdout, "password (shown once): %s\n", pw)
	}
	return nil
}

func (c *userCmd) token(ctx context.Context, name, scopeList, tokenName string, ttl time.Duration) error {
	u, err := c.db.UserByName(ctx, name)
	if err != nil {
		return err
	}
	if u.Disabled {
		return domain.Errorf(domain.EINVALID, "%s is disabled", u.Name)
	}
	scopes, err := auth.ParseScopes(scopeList)
	if err != nil {
		return err
	}
	if tokenName == "" {
		tokenName = auth.FromContext(ctx).Name + " " + time.Now().UTC().Format("2006-01-02")
	}
	secret, t, err := c.a.IssueToken(ctx, u, tokenName, scopes, ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "token %d for %s, scopes %v, expires %s\n", t.ID, u.Name, t.Scopes, t.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintf(c.stdout, "secret (shown once; send as \"Authorization: Bearer <secret>\"): %s\n", secret)
	return nil
}
