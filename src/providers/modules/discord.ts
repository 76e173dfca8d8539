/**
 * `express-drizzle-auth/providers/discord`: Discord (OAuth 2.0 + PKCE). Callback URL
 * `<auth url>/callback/discord`; scopes `identify email`. The email counts as verified only when the
 * user object's `verified` flag is true. Environment: `AUTH_DISCORD_ID`, `AUTH_DISCORD_SECRET`.
 */
import { defineProvider } from "../definition.js";
import { createOAuth2Provider, type OAuth2Endpoints } from "../oauth2.js";

export { customFetch } from "../custom-fetch.js";

/** Discord's own options. */
export interface DiscordOptions {
  /** Endpoint overrides. */
  endpoints?: Partial<OAuth2Endpoints>;
}

const ENDPOINTS: OAuth2Endpoints = {
  authorization: "https://discord.com/oauth2/authorize",
  token: "https://discord.com/api/oauth2/token",
  userinfo: "https://discord.com/api/users/@me",
};

/** The avatar URL of a Discord user (animated hashes start with `a_`), or its default avatar. */
function avatarOf(raw: Record<string, unknown>): string {
  const id = String(raw.id);
  if (typeof raw.avatar === "string" && /^[\w]{1,64}$/.test(raw.avatar))
    return `https://cdn.discordapp.com/avatars/${id}/${raw.avatar}.${raw.avatar.startsWith("a_") ? "gif" : "png"}`;
  const index = /^\d+$/.test(id) ? Number((BigInt(id) >> 22n) % 6n) : 0;
  return `https://cdn.discordapp.com/embed/avatars/${index}.png`;
}

/** Discord: `providers: [Discord]`. */
const Discord = defineProvider<DiscordOptions>({
  id: "discord",
  name: "Discord",
  type: "oauth",
  create: (options, id) =>
    createOAuth2Provider(
      {
        ...options,
        endpoints: { ...ENDPOINTS, ...options.endpoints },
        defaultScopes: ["identify", "email"],
        profile: (raw) => ({
          id: raw.id as string,
          email: typeof raw.email === "string" ? raw.email : null,
          emailVerified: raw.verified === true,
          name: (raw.global_name as string | null) ?? (raw.username as string),
          username: raw.username as string,
          image: avatarOf(raw),
        }),
      },
      id,
    ),
});
export default Discord;
