/** An account as the library returns it. Never carries the password hash. */
export interface AuthAccount {
  id: number;
  userId: string;
  email: string;
  verified: boolean;
  status: number;
  rolemask: number;
  lastLogin: Date | null;
  forceLogout: number;
  resettable: boolean;
  registered: Date;
  /** False for accounts that sign in only through OAuth. */
  hasPassword: boolean;
}

/** The internal row: the public account plus the password hash. Never leaves the library. */
export interface AccountRecord extends AuthAccount {
  password: string | null;
}
