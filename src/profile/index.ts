/**
 * Execution profiles: reading the published format and JSON, aligning them
 * with a network's runtime layers.
 *
 * @module
 */
export {
  alignProfile,
  parseProfile,
  parseProfileJson,
  parseProfileText,
  profileFromTimes,
  profileTotalMs,
} from "./profile.js";
export type { ExecutionProfile, ProfileEntry } from "./profile.js";
export {
  hasPublishedProfiles,
  PUBLISHED_PROFILE_NETWORKS,
  publishedClientProfile,
  publishedServerProfile,
} from "./published.js";
export type { PublishedProfileNetwork } from "./published.js";
