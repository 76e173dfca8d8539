import { describe, expect, it } from "vitest";
import { FULL, forms, hiddenValue, render, tags, textOf } from "./helpers.js";

/** The visible fields of a form: name → attributes. */
function fields(formTags: ReturnType<typeof forms>[number]["tags"]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const t of formTags) if (t.name === "input" && t.attrs.type !== "hidden") out[t.attrs.id!] = t.attrs;
  return out;
}

describe("signin page", () => {
  it("posts email, password and remember to /signin/credentials with csrfToken and callbackUrl", () => {
    const [form] = forms(render("signin", { callbackUrl: "/next" }).html);
    expect(form!.attrs.action).toBe("/auth/signin/credentials");
    expect(hiddenValue(form!.tags, "csrfToken")).toBe("csrf-token-123");
    expect(hiddenValue(form!.tags, "callbackUrl")).toBe("/next");
    const f = fields(form!.tags);
    expect(f.email).toMatchObject({ name: "email", type: "email", autocomplete: "email", autofocus: "" });
    expect(f.password).toMatchObject({ name: "password", type: "password", autocomplete: "current-password" });
    expect(f.remember).toMatchObject({ name: "remember", type: "checkbox", value: "true" });
  });

  it("leaves callbackUrl out when there is none", () => {
    expect(render("signin").html).not.toContain('name="callbackUrl"');
  });

  it("renders one POST form per provider with a 'Sign in with' button", () => {
    const all = forms(render("signin", { providers: FULL.providers!, callbackUrl: "/x" }).html);
    expect(all.map((f) => f.attrs.action)).toEqual([
      "/auth/signin/credentials",
      "/auth/signin/github",
      "/auth/signin/google",
    ]);
    expect(all[1]!.inner).toContain(">Sign in with GitHub</button>");
    expect(hiddenValue(all[2]!.tags, "callbackUrl")).toBe("/x");
  });

  it("links to register and reset, carrying callbackUrl", () => {
    const hrefs = tags(render("signin", { callbackUrl: "/a?b=1" }).html, "a").map((a) => a.attrs.href);
    expect(hrefs).toEqual(["/auth/reset?callbackUrl=%2Fa%3Fb%3D1", "/auth/register?callbackUrl=%2Fa%3Fb%3D1"]);
  });

  it.each([
    ["verified", "Your email address is confirmed"],
    ["reset-done", "Your password has been changed"],
    ["registered", "Your account has been created"],
    ["signed-out", "You have been signed out"],
  ] as const)("shows the %s notice as a status banner", (notice, text) => {
    const { html } = render("signin", { notice });
    expect(html).toMatch(new RegExp(`<p class="notice" role="status">${text}`));
  });

  it("links the error to the fields with aria-describedby and role=alert", () => {
    const { html } = render("signin", { error: "CredentialsSignin", email: "a@b.c" });
    expect(html).toContain('<p class="alert" id="form-error" role="alert">Incorrect email address or password.</p>');
    const f = fields(forms(html)[0]!.tags);
    expect(f.email!["aria-describedby"]).toBe("form-error");
    expect(f.password!["aria-describedby"]).toBe("form-error");
    expect(f.email!.value).toBe("a@b.c");
  });
});

describe("register page", () => {
  it("posts email and a 15+ character new password to /register, with a hint", () => {
    const { html } = render("register", { callbackUrl: "/c" });
    const [form] = forms(html);
    expect(form!.attrs.action).toBe("/auth/register");
    expect(hiddenValue(form!.tags, "callbackUrl")).toBe("/c");
    const f = fields(form!.tags);
    expect(f.email).toMatchObject({ autocomplete: "email", autofocus: "" });
    expect(f.password).toMatchObject({
      autocomplete: "new-password",
      minlength: "15",
      "aria-describedby": "password-hint",
    });
    expect(textOf(html, "password-hint")).toContain("at least 15 characters");
    expect(tags(html, "a").map((a) => a.attrs.href)).toEqual(["/auth/signin?callbackUrl=%2Fc"]);
  });

  it("describes the password with both the error and the hint", () => {
    const f = fields(forms(render("register", { error: "INVALID_PASSWORD" }).html)[0]!.tags);
    expect(f.password!["aria-describedby"]).toBe("form-error password-hint");
  });
});

describe("verify-request page", () => {
  it("says to check the email, with no form, without a token", () => {
    const { html } = render("verify-request", { email: "a@b.c" });
    expect(forms(html)).toHaveLength(0);
    expect(html).toContain("<h1>Check your email</h1>");
    expect(html).toContain("confirm your email address");
    expect(html).toContain("Sent to a@b.c.");
  });

  it("talks about the reset link for the reset-sent notice", () => {
    expect(render("verify-request", { notice: "reset-sent" }).html).toContain("a link to choose a new password");
  });

  it("asks for a button press that POSTs the token to /verify-email", () => {
    const [form] = forms(render("verify-request", { token: "sel.val" }).html);
    expect(form!.attrs.action).toBe("/auth/verify-email");
    expect(hiddenValue(form!.tags, "token")).toBe("sel.val");
    expect(form!.inner).toContain('<button type="submit">Confirm email address</button>');
  });
});

describe("reset page", () => {
  it("posts the email to /password/forgot without a token", () => {
    const [form] = forms(render("reset").html);
    expect(form!.attrs.action).toBe("/auth/password/forgot");
    expect(fields(form!.tags).email).toMatchObject({ name: "email", autocomplete: "email", autofocus: "" });
  });

  it("posts the token and a new password to /password/reset with a token", () => {
    const [form] = forms(render("reset", { token: "t0k" }).html);
    expect(form!.attrs.action).toBe("/auth/password/reset");
    expect(hiddenValue(form!.tags, "token")).toBe("t0k");
    expect(fields(form!.tags).password).toMatchObject({ autocomplete: "new-password", minlength: "15", autofocus: "" });
  });
});

describe("signout page", () => {
  it("confirms with a POST to /signout carrying callbackUrl", () => {
    const { html } = render("signout", { callbackUrl: "/bye", signedInEmail: "a@b.c" });
    const [form] = forms(html);
    expect(form!.attrs.action).toBe("/auth/signout");
    expect(hiddenValue(form!.tags, "callbackUrl")).toBe("/bye");
    expect(html).toContain("Signed in as a@b.c");
  });
});

describe("error page", () => {
  it("shows the localised message and links back to sign in", () => {
    const { html } = render("error", { error: "OAUTH_STATE_INVALID", callbackUrl: "/x" });
    expect(html).toContain('role="alert">Signing in with the provider didn&#39;t work. Please try again.</p>');
    expect(tags(html, "a").map((a) => a.attrs.href)).toEqual(["/auth/signin?callbackUrl=%2Fx"]);
    expect(html).not.toContain("OAUTH_STATE_INVALID");
  });

  it("shows the generic message without an error code", () => {
    expect(render("error").html).toContain('role="alert">Something went wrong. Please try again.</p>');
  });
});
