/** The example help center's content: a few articles, each suggesting others. */
export interface Article {
  slug: string;
  title: string;
  summary: string;
  body: string[];
  suggested: string[];
}

export const ARTICLES: readonly Article[] = [
  {
    slug: 'reset-password',
    title: 'Reset your password',
    summary: 'Get back into your account when you forgot your password.',
    body: [
      'Open the sign-in page and choose "Forgot password". Enter the email address of your account.',
      'We send a link that works for one hour. Open it on the same device and choose a new password.',
    ],
    suggested: ['change-email', 'two-factor'],
  },
  {
    slug: 'change-email',
    title: 'Change the email address of your account',
    summary: 'Move your account to a new email address.',
    body: [
      'Go to Settings, then Account, and choose "Change email".',
      'Confirm the new address from the message we send to it; the old address gets a notice.',
    ],
    suggested: ['reset-password', 'delete-account'],
  },
  {
    slug: 'two-factor',
    title: 'Turn on two-factor authentication',
    summary: 'Protect your account with a code from your phone.',
    body: [
      'Go to Settings, then Security, and choose "Two-factor authentication".',
      'Scan the code with an authenticator app and keep the recovery codes somewhere safe.',
    ],
    suggested: ['reset-password', 'billing-cycle'],
  },
  {
    slug: 'billing-cycle',
    title: 'Understand your billing cycle',
    summary: 'When you are charged, and how to read your invoice.',
    body: [
      'You are charged on the day of the month you subscribed. Invoices are in Settings, then Billing.',
      'Changing plans mid-cycle charges or credits the difference on the next invoice.',
    ],
    suggested: ['delete-account', 'change-email'],
  },
  {
    slug: 'delete-account',
    title: 'Delete your account',
    summary: 'Close your account and erase your data.',
    body: [
      'Go to Settings, then Account, and choose "Delete account". You have 14 days to change your mind.',
      'After 14 days every conversation and file is erased; invoices are kept as the law requires.',
    ],
    suggested: ['billing-cycle', 'reset-password'],
  },
];

export function articleBySlug(slug: string): Article | undefined {
  return ARTICLES.find((article) => article.slug === slug);
}
