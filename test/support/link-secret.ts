/** The LINK_SECRET of the test API and the test workers: links in the test e-mails open the test API's pages. */
export const TEST_LINK_SECRET = 'link-secret-for-tests-0123456789abcdef';
