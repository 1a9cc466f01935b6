/** A username and password for a registry (a token is a password with any user name). */
export interface RegistryCredentials {
  username: string;
  password: string;
}
