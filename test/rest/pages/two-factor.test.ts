import { describe, expect, it } from "vitest";
import { FULL, forms, hiddenValue, render, tags, textOf } from "./helpers.js";

function inputs(html: string) {
  return tags(html, "input").filter((t) => t.attrs.type !== "hidden");
}

describe("two-factor page", () => {
  it("posts method, code and callbackUrl to /two-factor/verify", () => {
    const { html } = render("two-factor", { methods: FULL.methods!, callbackUrl: "/x" });
    const [form] = forms(html);
    expect(form!.attrs.action).toBe("/auth/two-factor/verify");
    expect(hiddenValue(form!.tags, "callbackUrl")).toBe("/x");
    const code = inputs(html).find((i) => i.attrs.id === "code")!;
    expect(code.attrs).toMatchObject({ name: "code", autocomplete: "one-time-code", autofocus: "" });
  });

  it("offers totp, otp with the masked contact, and backup_code as radios, the first checked", () => {
    const { html } = render("two-factor", { methods: FULL.methods! });
    const radios = inputs(html).filter((i) => i.attrs.type === "radio");
    expect(radios.map((r) => [r.attrs.name, r.attrs.value])).toEqual([
      ["method", "totp"],
      ["method", "otp"],
      ["method", "backup_code"],
    ]);
    expect("checked" in radios[0]!.attrs).toBe(true);
    expect(html).toContain('<label for="method-otp">Code sent to a***@example.com</label>');
    expect(html).toContain("<legend>Verify with</legend>");
  });

  it("uses a numeric keypad when no backup code is offered", () => {
    const { html } = render("two-factor", { methods: [{ type: "totp" }, { type: "sms", maskedContact: "***12" }] });
    expect(inputs(html).find((i) => i.attrs.id === "code")!.attrs.inputmode).toBe("numeric");
  });

  it("keeps a full keyboard when backup codes (letters) are offered", () => {
    const { html } = render("two-factor", { methods: FULL.methods! });
    expect(inputs(html).find((i) => i.attrs.id === "code")!.attrs.inputmode).toBeUndefined();
  });

  it("sends the only method as a hidden field instead of radios", () => {
    const { html } = render("two-factor", { methods: [{ type: "totp" }] });
    expect(hiddenValue(forms(html)[0]!.tags, "method")).toBe("totp");
    expect(inputs(html).filter((i) => i.attrs.type === "radio")).toHaveLength(0);
  });

  it("maps backupCode (the SecondFactorMethods key) to backup_code", () => {
    const { html } = render("two-factor", { methods: [{ type: "backupCode" }] });
    expect(hiddenValue(forms(html)[0]!.tags, "method")).toBe("backup_code");
  });

  it("offers the authenticator app and backup codes when methods are unknown", () => {
    const radios = inputs(render("two-factor").html).filter((i) => i.attrs.type === "radio");
    expect(radios.map((r) => r.attrs.value)).toEqual(["totp", "backup_code"]);
  });

  it("ignores method types it does not know", () => {
    const { html } = render("two-factor", { methods: [{ type: "webauthn" }, { type: "totp" }] });
    expect(hiddenValue(forms(html)[0]!.tags, "method")).toBe("totp");
  });
});

describe("two-factor-setup page", () => {
  it("asks a signed-out visitor to sign in", () => {
    const { html } = render("two-factor-setup");
    expect(forms(html)).toHaveLength(0);
    expect(tags(html, "a")[0]!.attrs.href).toBe("/auth/signin");
  });

  it("offers a start form POSTing to /two-factor/setup/totp when signed in", () => {
    const { html } = render("two-factor-setup", { signedInEmail: "a@b.c" });
    expect(forms(html).map((f) => f.attrs.action)).toEqual(["/auth/two-factor/setup/totp"]);
    expect(html).toContain("Signed in as a@b.c");
  });

  it("shows the QR code as a data: image with alt text, the grouped secret and the otpauth link", () => {
    const { html } = render("two-factor-setup", { signedInEmail: "a@b.c", totp: FULL.totp! });
    const img = tags(html, "img")[0]!;
    expect(img.attrs.alt).toBe("QR code to scan with your authenticator app");
    const src = img.attrs.src!;
    expect(src.startsWith("data:image/svg+xml;base64,")).toBe(true);
    const svg = Buffer.from(src.split(",")[1]!, "base64").toString("utf8");
    expect(svg).toBe(FULL.totp!.qrSvg);
    expect(textOf(html, "totp-secret")).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP");
    expect(tags(html, "a").map((a) => a.attrs.href)).toEqual([FULL.totp!.uri]);
    expect(html).not.toContain("<svg");
  });

  it("confirms the enrolment with a numeric one-time code POSTed to /two-factor/setup/totp/confirm", () => {
    const { html } = render("two-factor-setup", { totp: FULL.totp! });
    const [form] = forms(html);
    expect(form!.attrs.action).toBe("/auth/two-factor/setup/totp/confirm");
    const code = inputs(html).find((i) => i.attrs.id === "code")!;
    expect(code.attrs).toMatchObject({ name: "code", inputmode: "numeric", autocomplete: "one-time-code" });
  });

  it("does not link a URI that is not otpauth:", () => {
    const { html } = render("two-factor-setup", { totp: { ...FULL.totp!, uri: "https://evil.test/" } });
    expect(tags(html, "a")).toHaveLength(0);
  });

  it("lists backup codes in #backup-codes, each in a <code>, with a done link to callbackUrl", () => {
    const { html } = render("two-factor-setup", { backupCodes: FULL.backupCodes!, callbackUrl: "/settings" });
    const list = /<ul id="backup-codes">([\s\S]*?)<\/ul>/.exec(html)![1]!;
    expect([...list.matchAll(/<code>([^<]*)<\/code>/g)].map((m) => m[1])).toEqual(FULL.backupCodes);
    expect(tags(html, "a").map((a) => a.attrs.href)).toEqual(["/settings"]);
  });

  it("sends the done link to / without a callbackUrl", () => {
    const { html } = render("two-factor-setup", { backupCodes: ["AAAA-BBBB"] });
    expect(tags(html, "a").map((a) => a.attrs.href)).toEqual(["/"]);
  });
});
